/**
 * `npm run eval:team`: search quality on the team path against the local index, on the eval datasets
 * (bench/eval/*.json): each corpus is indexed locally, published to a real Chroma server (started
 * here, test/servers/chroma.ts), and searched through a TeamIndex (base on the server, an empty
 * overlay since the folder is the base), in every mode. nDCG@10 of both, and the ratio, go to stdout
 * and bench/.cache/team-eval.json. `--datasets axios,ramda` bounds the run.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { loadDataset, runEval, SEARCH_MODES, type EvalEngine } from '../src/core/eval/run';
import { TeamIndex } from '../src/core/team/team';
import { startChroma } from '../test/servers/chroma';
import { ROOT } from './lib';

async function main(): Promise<void> {
  const only = process.argv.includes('--datasets') ? process.argv[process.argv.indexOf('--datasets') + 1].split(',') : undefined;
  const dir = join(ROOT, 'bench', 'eval');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && (!only || only.includes(f.replace(/\.json$/, '')))).sort();
  const datasets = await Promise.all(files.map((f) => loadDataset(join(dir, f))));
  const chroma = await startChroma();
  const engine = await QuipuEngine.create(makeConfig());
  const rows: { dataset: string; mode: string; local: number; team: number; ratio: number }[] = [];
  try {
    const local = await runEval(engine, datasets, { modes: SEARCH_MODES, onMessage: (m) => console.error(`local ${m}`) });
    const teams = new Map<string, TeamIndex>();
    const teamEngine: EvalEngine = {
      index: async (root, options) => {
        const team = TeamIndex.for(engine, root, { url: chroma.url, collection: `eval-${teams.size + 1}` }, { overlayDir: join(ROOT, 'bench', '.cache', 'team-overlay', String(teams.size + 1)) });
        teams.set(root, team);
        const { summary } = await team.publish({ indexDir: options?.indexDir, commit: 'eval' });
        await team.sync();
        return summary;
      },
      search: async (root, query, options) => (await teams.get(root)!.search(query, { ...options, sync: false })).results,
    };
    const team = await runEval(teamEngine, datasets, { modes: SEARCH_MODES, onMessage: (m) => console.error(`team ${m}`) });
    for (const [i, d] of local.datasets.entries()) {
      for (const [j, m] of d.modes.entries()) {
        const t = team.datasets[i].modes[j];
        rows.push({ dataset: d.name, mode: m.mode, local: m.metrics.ndcg, team: t.metrics.ndcg, ratio: t.metrics.ndcg / m.metrics.ndcg });
      }
    }
    for (const t of teams.values()) await t.close();
  } finally {
    await engine.close();
    await chroma.dispose();
  }
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', '.cache', 'team-eval.json'), JSON.stringify(rows, null, 1));
  console.log('| dataset | mode | nDCG@10 local | nDCG@10 team | team / local |\n|---|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.dataset} | ${r.mode} | ${r.local.toFixed(3)} | ${r.team.toFixed(3)} | ${(100 * r.ratio).toFixed(1)} % |`);
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
