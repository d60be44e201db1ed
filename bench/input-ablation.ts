/**
 * What the model reads, step by step: each variant of the chunk settings that shape the model's input
 * (`embedContext`, `stripBoilerplate`, `splitWords`; see src/core/embed/model-input.ts) indexes every
 * eval corpus into an index of its own (bench/.cache/ablation/<variant>) and runs every query in
 * every mode. Chunks, the lexical index and the fusion are the same in all variants; only the vectors
 * differ. Prints a Markdown table (nDCG@10); results of a run are in bench/QUALITY-EXPERIMENTS.md §5.
 * Usage: npm run build && node --import tsx bench/input-ablation.ts   (about 6 minutes here)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig, type ChunkSettings } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { loadDataset, runEval, SEARCH_MODES } from '../src/core/eval/run';
import { ROOT } from './lib';

const VARIANTS: Record<string, Partial<ChunkSettings>> = {
  'chunk text only': { embedContext: false, stripBoilerplate: false, splitWords: false },
  '+ path · symbol in front': { embedContext: true, stripBoilerplate: false, splitWords: false },
  '+ compound words cut': { embedContext: true, stripBoilerplate: false, splitWords: true },
  '+ boilerplate left out': { embedContext: true, stripBoilerplate: true, splitWords: false },
  '+ both (default)': { embedContext: true, stripBoilerplate: true, splitWords: true },
};

async function main(): Promise<void> {
  const dir = join(ROOT, 'bench', 'eval');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const datasets = await Promise.all(files.map((f) => loadDataset(join(dir, f))));
  const rows: string[] = [];
  for (const [name, chunk] of Object.entries(VARIANTS)) {
    const engine = await QuipuEngine.create(makeConfig({ chunk }));
    try {
      const slug = name.replace(/[^a-z]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
      const report = await runEval(engine, datasets, { modes: SEARCH_MODES, indexRoot: join(ROOT, 'bench', '.cache', 'ablation', slug) });
      for (const mode of SEARCH_MODES) {
        if (mode === 'lexical') continue; // the same in every variant
        const cells = report.datasets.map((d) => d.modes.find((m) => m.mode === mode)!.metrics.ndcg.toFixed(3));
        rows.push(`| ${name} | ${mode} | ${cells.join(' | ')} |`);
        console.error(rows[rows.length - 1]);
      }
    } finally {
      await engine.close();
    }
  }
  process.stdout.write([`| model input | mode | ${datasets.map((d) => d.name).join(' | ')} |`, `|---|---|${datasets.map(() => '---:|').join('')}`, ...rows].join('\n') + '\n');
}

void main();
