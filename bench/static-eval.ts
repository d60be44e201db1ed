/**
 * `npm run eval:static`: the static model's variants (PCA size, token weighting) against the transformer,
 * vector-only and hybrid, on the tuned code datasets, written to bench/STATIC.md. Each variant's table is
 * distilled by scripts/distill-static.mjs (the transformer's token vectors are cached in .scratch, so a
 * variant costs its PCA, not the model); its indexes live in .scratch/static-eval/<variant>.
 *   node --import tsx bench/static-eval.ts [--datasets axios,ramda,rxjs] [--variants 256:sif-rank:1e-4,128:none]
 *        [--transformer]   (also index and measure MiniLM itself, in the same run)
 * A variant is dims:weighting:coefficient, optionally :raw (pooling before normalisation) or :ctxN
 * (blended with contextual vectors over N chunks of code): scripts/distill-static.mjs says what each is.
 * Held-out datasets (`"heldOut": true`) are refused: nothing is chosen on them. `--final` measures the
 * chosen variant on every dataset, held-out ones included, and says so in the table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { loadDataset, runEval, type EvalReport, type LoadedDataset } from '../src/core/eval/run';
import { readStaticModel } from '../src/core/embed/static-model';
import { machineDescription, ROOT } from './lib';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const final = args.includes('--final');
const datasetNames = flag('datasets', 'axios,ramda,rxjs').split(',');
const variants = flag('variants', '64:sif-rank:1e-4,128:sif-rank:1e-4,256:sif-rank:1e-4,384:sif-rank:1e-4,256:none:0,256:sif-rank:1e-3,256:sif-code:1e-3,256:sif-code:1e-4').split(',');
const scratch = join(ROOT, '.scratch', 'static-eval');
const results = join(scratch, 'results.json');

interface Row {
  variant: string;
  id: string;
  bytes: number;
  explainedVariance?: number;
  buildCpuSeconds?: number;
  indexSeconds: Record<string, number>;
  metrics: Record<string, { vector: number; hybrid: number; lexical?: number }>;
}

async function measure(label: string, staticModel: string | undefined, datasets: LoadedDataset[]): Promise<{ report: EvalReport; id: string }> {
  // A static model: the fast tier alone with that table; none: the transformer alone (the deep tier).
  const engine = await QuipuEngine.create(makeConfig(staticModel === undefined ? { tiers: 'deep' } : { tiers: 'fast', staticModel }));
  try {
    const report = await runEval(engine, datasets, {
      modes: staticModel === undefined ? ['vector', 'lexical', 'hybrid'] : ['vector', 'hybrid'],
      indexRoot: join(scratch, label),
      onMessage: (m) => console.error(`${label}: ${m}`),
    });
    return { report, id: engine.fastEmbedder?.id ?? engine.embedder.id };
  } finally {
    await engine.close();
  }
}

function rowOf(variant: string, id: string, report: EvalReport, extra: Partial<Row>): Row {
  const metrics: Row['metrics'] = {};
  const indexSeconds: Row['indexSeconds'] = {};
  for (const d of report.datasets) {
    const of = (mode: string) => d.modes.find((m) => m.mode === mode)?.metrics.ndcg;
    metrics[d.name] = { vector: of('vector') ?? NaN, hybrid: of('hybrid') ?? NaN, ...(of('lexical') !== undefined ? { lexical: of('lexical') } : {}) };
    if (d.index.filesIndexed > 0) indexSeconds[d.name] = d.index.seconds;
  }
  return { variant, id, bytes: 0, indexSeconds, metrics, ...extra };
}

async function main(): Promise<void> {
  const datasets: LoadedDataset[] = [];
  for (const name of datasetNames) {
    const file = join(ROOT, 'bench', 'eval', `${name}.json`);
    if (!final && (JSON.parse(readFileSync(file, 'utf8')) as { heldOut?: boolean }).heldOut) {
      throw new Error(`${name} is held out: no setting is chosen on it (measure the chosen one with --final).`);
    }
    datasets.push(await loadDataset(file));
  }
  mkdirSync(scratch, { recursive: true });
  const load = (): Row[] => (existsSync(results) ? (JSON.parse(readFileSync(results, 'utf8')) as Row[]) : []);
  let rows = load();
  const keep = (row: Row) => {
    // Read again: another sweep may have added rows meanwhile.
    rows = load();
    const at = rows.findIndex((r) => r.variant === row.variant);
    if (at >= 0) rows[at] = { ...rows[at], ...row, metrics: { ...rows[at].metrics, ...row.metrics }, indexSeconds: { ...rows[at].indexSeconds, ...row.indexSeconds } };
    else rows.push(row);
    writeFileSync(results, JSON.stringify(rows, null, 2));
  };
  if (args.includes('--transformer')) {
    const { report, id } = await measure('transformer', undefined, datasets);
    keep(rowOf('transformer', id, report, {}));
  }
  for (const variant of variants) {
    // dims:weighting:coefficient[:raw|:ctxN] (scripts/distill-static.mjs's --pooling raw, --context-chunks N)
    const [dims, weighting, sif, extra] = variant.split(':');
    const more = extra === 'raw' ? ['--pooling', 'raw'] : extra?.startsWith('ctx') ? ['--context-chunks', extra.slice(3)] : [];
    const file = join(scratch, `${variant.replaceAll(':', '-')}.bin`);
    const build = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'scripts', 'distill-static.mjs'), '--out', file, '--dims', dims, '--weighting', weighting, '--sif', sif || '1e-4', ...more],
      { cwd: ROOT, encoding: 'utf8' },
    );
    if (build.status !== 0) throw new Error(`distill-static failed for ${variant}:\n${build.stderr}`);
    const cpu = /in ([\d.]+) CPU s\s*$/.exec(build.stderr.trim());
    const table = readStaticModel(file);
    const { report, id } = await measure(variant.replaceAll(':', '-'), file, datasets);
    keep(rowOf(variant, id, report, { bytes: readFileSync(file).length, explainedVariance: table.header.explainedVariance, ...(cpu ? { buildCpuSeconds: Number(cpu[1]) } : {}) }));
  }
  writeMarkdown(rows);
}

function writeMarkdown(rows: Row[]): void {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))];
  const mean = (r: Row, mode: 'vector' | 'hybrid') => {
    const values = names.map((n) => r.metrics[n]?.[mode]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    return values.length === names.length ? (values.reduce((a, b) => a + b, 0) / values.length).toFixed(3) : '–';
  };
  const header = `| variant | MB | variance kept | ${names.map((n) => `${n} vector | ${n} hybrid`).join(' | ')} | mean vector | mean hybrid |`;
  const rule = `|---|---:|---:|${names.map(() => '---:|---:').join('|')}|---:|---:|`;
  const lines = rows.map((r) => {
    const cells = names.map((n) => `${r.metrics[n]?.vector?.toFixed(3) ?? '–'} | ${r.metrics[n]?.hybrid?.toFixed(3) ?? '–'}`);
    const size = r.bytes ? (r.bytes / 2 ** 20).toFixed(1) : '–';
    const variance = r.explainedVariance !== undefined ? `${(r.explainedVariance * 100).toFixed(1)}%` : '–';
    return `| ${r.variant} | ${size} | ${variance} | ${cells.join(' | ')} | ${mean(r, 'vector')} | ${mean(r, 'hybrid')} |`;
  });
  const out = join(scratch, 'table.md');
  writeFileSync(out, `Measured ${new Date().toISOString().slice(0, 10)}: ${machineDescription()}. nDCG@10.\n\n${header}\n${rule}\n${lines.join('\n')}\n`);
  console.log(readFileSync(out, 'utf8'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
