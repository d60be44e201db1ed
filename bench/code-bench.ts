/**
 * `npm run eval:code`: the code benchmark (bench/code/*.json, made as bench/CODE-BENCH.md says). Checks every
 * repository's questions against its fetched corpus first (paths exist, spans lie within their files, every
 * question has a category, at least 18 per repository, none asked twice) and prints the counts; then indexes
 * each corpus with the real engine (index folders kept in bench/.cache/code-bench-index between runs), runs
 * every question in each mode, top k chunks and one result per file, and scores graded nDCG@k.
 *
 * Flags: --check (validate only), --repos id,id, --split tune|heldout|all, --modes vector,lexical,hybrid, --k 10,
 * --ablation (the ranking stack step by step; --quick: only the whole stack), --set 'key=value;…' (ranking
 * settings, with --ablation; also vectorWeights=0.5/0.25, fastVectorWeights=0.35/0.1 and fusion=ranks),
 * --tiers deep|fast (which vectors the indexes hold: deep, the default, ranks as an index whose deep tier is
 * complete; fast, the fast tier alone, as a folder ranks before its deep tier starts: index folders of their own).
 * A complete run (every repository, split and mode) rewrites the results part of bench/CODE-BENCH.md and
 * bench/code-bench-results.json; any run writes bench/.cache/code-bench-report.{md,json} (every query's top k).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { makeConfig } from '../src/core/config/config';
import { DEFAULT_VECTOR_CACHE_BYTES, defaultVectorCacheDir } from '../src/core/embed/vector-cache';
import { QuipuEngine } from '../src/core/engine/engine';
import { checkCodeRepo, CODE_CATEGORIES, CodeDatasetError, countQuestions, parseCodeRepo, type CodeRepo } from '../src/core/eval/code-dataset';
import { DEFAULT_K, scoreGraded, type QueryMetrics } from '../src/core/eval/metrics';
import { SEARCH_MODES } from '../src/core/eval/run';
import { RANK_SETTINGS, type RankSettings, type RankStep } from '../src/core/search/ranking/stack';
import type { SearchMode } from '../src/core/search/search';
import type { RankTuning } from '../src/core/search/rank';
import { machineDescription, ROOT } from './lib';

const OUT_MD = join(ROOT, 'bench', 'CODE-BENCH.md');
const OUT_JSON = join(ROOT, 'bench', 'code-bench-results.json');
const CACHE = join(ROOT, 'bench', '.cache');
/** `--tiers`: the deep tier's vectors (the default) or the fast tier's alone. */
let TIERS: 'deep' | 'fast' = 'deep';
const indexesOf = () => join(CACHE, TIERS === 'deep' ? 'code-bench-index' : 'code-bench-index-fast');
// The fast tier alone reads no vector cache: a cached transformer vector would make its chunk deep.
const engineConfig = (cacheDir: string | undefined) => makeConfig({ tiers: TIERS, ...(cacheDir && TIERS === 'deep' ? { vectorCache: { dir: cacheDir, maxBytes: DEFAULT_VECTOR_CACHE_BYTES } } : {}) });
/** Everything above this line in bench/CODE-BENCH.md is written by hand; the script rewrites what follows. */
const MARKER = '<!-- results: written by npm run eval:code (bench/code-bench.ts); edit above this line -->';

type Split = 'tune' | 'heldout' | 'all';
type Grouping = 'chunks' | 'files';

interface Loaded {
  repo: CodeRepo;
  file: string;
  folder: string;
}

interface QueryRun {
  repo: string;
  language: string;
  heldOut: boolean;
  category: string;
  query: string;
  mode: SearchMode;
  grouping: Grouping;
  metrics: QueryMetrics;
  results: { path: string; startLine: number; endLine: number; score: number }[];
}

function options() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      repos: { type: 'string' },
      split: { type: 'string', default: 'all' },
      modes: { type: 'string', default: SEARCH_MODES.join(',') },
      k: { type: 'string', default: String(DEFAULT_K) },
      ablation: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      set: { type: 'string' },
      tiers: { type: 'string', default: 'deep' },
    },
  });
  if (values.tiers !== 'deep' && values.tiers !== 'fast') throw new Error(`--tiers must be deep or fast, not "${values.tiers}"`);
  TIERS = values.tiers;
  const split = values.split as Split;
  if (!['tune', 'heldout', 'all'].includes(split)) throw new Error(`--split must be tune, heldout or all, not "${split}"`);
  const modes = values.modes.split(',').map((m) => m.trim()) as SearchMode[];
  for (const mode of modes) if (!SEARCH_MODES.includes(mode)) throw new Error(`--modes: "${mode}" is not one of ${SEARCH_MODES.join(', ')}`);
  const k = Number(values.k);
  if (!Number.isInteger(k) || k < 1) throw new Error(`--k must be a positive whole number, not "${values.k}"`);
  const repos = values.repos ? values.repos.split(',').map((r) => r.trim()) : undefined;
  const settings: Record<string, unknown> = {};
  for (const pair of values.set ? values.set.split(';') : []) {
    const [key, value] = pair.split('=');
    // vectorWeights=0.5/0.25: a sentence's and an identifier's embedding share.
    // fusion=ranks: reciprocal rank fusion instead of scaled scores.
    const name = key.trim();
    settings[name] = name === 'roles' ? JSON.parse(value) : name === 'vectorWeights' || name === 'fastVectorWeights' ? value.split('/').map(Number) : name === 'fusion' ? value.trim() : Number(value);
  }
  return { check: values.check, repos, split, modes, k, ablation: values.ablation, quick: values.quick, settings: settings as Partial<RankSettings> };
}

/**
 * `--ablation`: the ranking stack measured step by step on the same indexes: none of it, all of it,
 * and all but each step, mean nDCG@k per mode (chunks), by split. The gain of each step is what
 * leaving it out costs. `--set 'key=value;…'` changes the stack's settings for every variant.
 */
async function ablate(loaded: Loaded[], modes: SearchMode[], k: number, settings: Partial<RankSettings>, quick: boolean): Promise<void> {
  const steps: RankStep[] = ['lookup', 'definitions', 'path', 'roles', 'coherence', 'diversity'];
  const all: { name: string; skip: RankStep[] }[] = [{ name: 'no stack', skip: steps }, { name: 'stack', skip: [] }, ...steps.map((step) => ({ name: `stack without ${step}`, skip: [step] }))];
  // --quick: only the whole stack, to compare settings.
  const variants = quick ? all.filter((v) => v.name === 'stack') : all;
  const cacheDir = defaultVectorCacheDir();
  const engine = await QuipuEngine.create(engineConfig(cacheDir));
  const scores = new Map<string, number[]>();
  const add = (key: string, value: number) => scores.set(key, [...(scores.get(key) ?? []), value]);
  try {
    for (const { repo, folder } of loaded) {
      const indexDir = join(indexesOf(), repo.id);
      await engine.index(folder, { indexDir });
      for (const variant of variants) {
        for (const mode of modes) {
          for (const q of repo.queries) {
            const { vectorWeights, fastVectorWeights, fusion, ...stackSettings } = settings as Partial<RankSettings> & Pick<RankTuning, 'vectorWeights' | 'fastVectorWeights' | 'fusion'>;
            const found = await engine.search(folder, q.query, { indexDir, topK: k, mode, ranking: { skip: variant.skip, settings: stackSettings, vectorWeights, fastVectorWeights, fusion } });
            const ndcg = scoreGraded(found, q.relevant, k).ndcg;
            const split = repo.heldOut ? 'held out' : 'tuned on';
            for (const group of [`${split}|all`, `${split}|${q.category}`, `${split}|${repo.language}`]) add(`${variant.name}|${mode}|${group}`, ndcg);
          }
        }
      }
      console.error(`${repo.id}: done`);
    }
  } finally {
    await engine.close();
  }
  const groups = [...new Set([...scores.keys()].map((key) => key.split('|').slice(2).join('|')))].sort();
  const lines = [`Ranking stack, step by step: mean nDCG@${k} (chunks) over ${loaded.map((l) => l.repo.id).join(', ')}; settings ${JSON.stringify({ ...RANK_SETTINGS, ...settings })}`, ''];
  for (const group of groups) {
    lines.push(`### ${group.replace('|', ': ')}`, '', `| variant | ${modes.join(' | ')} |`, `|---|${modes.map(() => '---:').join('|')}|`);
    for (const variant of variants) lines.push(`| ${variant.name} | ${modes.map((mode) => mean(scores.get(`${variant.name}|${mode}|${group}`) ?? []).toFixed(3)).join(' | ')} |`);
    lines.push('');
  }
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'ranking-ablation.md'), lines.join('\n'));
  process.stdout.write(lines.join('\n') + '\n');
}

/** Reads, fetches and checks the repositories; exits with every problem listed when there is one. */
async function loadAndCheck(only: string[] | undefined, split: Split): Promise<Loaded[]> {
  const { codeBenchFiles, fetchCodeCorpus } = await import('../scripts/fetch-code-bench.mjs');
  const files = codeBenchFiles();
  const id = (file: string) => file.slice(file.lastIndexOf('/') + 1, -'.json'.length);
  const unknown = (only ?? []).filter((r) => !files.some((f) => id(f) === r));
  if (unknown.length > 0) throw new Error(`--repos: no bench/code/${unknown[0]}.json (there are: ${files.map(id).join(', ')})`);
  const problems: string[] = [];
  const loaded: Loaded[] = [];
  for (const file of files.filter((f) => !only || only.includes(id(f)))) {
    let repo: CodeRepo;
    try {
      repo = parseCodeRepo(JSON.parse(readFileSync(file, 'utf8')), id(file), relative(ROOT, file));
    } catch (error) {
      problems.push(...(error instanceof CodeDatasetError ? error.problems : [`${relative(ROOT, file)}: ${(error as Error).message}`]));
      continue;
    }
    if ((split === 'tune' && repo.heldOut) || (split === 'heldout' && !repo.heldOut)) continue;
    let folder: string;
    try {
      folder = await fetchCodeCorpus(file);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    problems.push(...checkCodeRepo(repo, (path) => lineCount(join(folder, path)), relative(ROOT, file)));
    loaded.push({ repo, file, folder });
  }
  printCounts(loaded.map((l) => l.repo));
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    console.error(`${problems.length} problem(s) in the code benchmark's files`);
    process.exit(1);
  }
  return loaded;
}

function lineCount(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const text = readFileSync(path, 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function printCounts(repos: CodeRepo[]): void {
  const counts = countQuestions(repos);
  const header = ['language', 'repos', ...CODE_CATEGORIES, 'total'];
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([language, c]) => [language, String(repos.filter((r) => r.language === language).length), ...CODE_CATEGORIES.map((cat) => String(c[cat])), String(c.total)]);
  const all = [...counts.values()];
  rows.push(['all', String(repos.length), ...CODE_CATEGORIES.map((cat) => String(all.reduce((s, c) => s + c[cat], 0))), String(all.reduce((s, c) => s + c.total, 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) console.error(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '));
}

async function run(loaded: Loaded[], modes: SearchMode[], k: number): Promise<{ runs: QueryRun[]; index: Record<string, { files: number; chunks: number }> }> {
  // The machine's vector cache, as the CLI uses it: a re-run, or a changed chunker, embeds only new chunk texts.
  const cacheDir = defaultVectorCacheDir();
  const engine = await QuipuEngine.create(engineConfig(cacheDir));
  const runs: QueryRun[] = [];
  const index: Record<string, { files: number; chunks: number }> = {};
  try {
    for (const { repo, folder } of loaded) {
      const indexDir = join(indexesOf(), repo.id);
      console.error(`${repo.id}: indexing ${folder}`);
      const summary = await engine.index(folder, { indexDir });
      index[repo.id] = { files: summary.filesSeen, chunks: summary.chunksTotal };
      console.error(`${repo.id}: ${summary.filesSeen} files, ${summary.chunksTotal} chunks (${summary.filesIndexed} indexed in ${summary.seconds.toFixed(1)} s)`);
      for (const path of await unindexedAnswers(engine, indexDir, repo)) console.error(`${repo.id}: warning: ${path} is an answer but has no chunk in the index (skipped or empty): no search can find it`);
      for (const mode of modes) {
        for (const grouping of ['chunks', 'files'] as const) {
          for (const q of repo.queries) {
            const found = await engine.search(folder, q.query, { indexDir, topK: k, mode, groupByFile: grouping === 'files' });
            const results = found.map((r) => ({ path: r.path, startLine: r.startLine, endLine: r.endLine, score: r.score }));
            runs.push({ repo: repo.id, language: repo.language, heldOut: repo.heldOut, category: q.category, query: q.query, mode, grouping, metrics: scoreGraded(results, q.relevant, k), results });
          }
        }
        console.error(`${repo.id}: ${mode} done`);
      }
    }
  } finally {
    await engine.close();
  }
  return { runs, index };
}

/** Answer paths with no chunk in the index: the file was skipped (size, type) or is empty. */
async function unindexedAnswers(engine: QuipuEngine, indexDir: string, repo: CodeRepo): Promise<string[]> {
  const store = await engine.openForReading(indexDir);
  try {
    const indexed = new Set((await store.searchableShards()).flatMap((shard) => shard.metadata.map((m) => m.path)));
    return [...new Set(repo.queries.flatMap((q) => q.relevant.map((a) => a.path)))].filter((path) => !indexed.has(path));
  } finally {
    await store.close();
  }
}

const mean = (values: number[]) => (values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length);

/** One table: a row per group (repository, language, category or all), nDCG@k per mode, chunks and files. */
function table(runs: QueryRun[], modes: SearchMode[], k: number, label: string, groupOf: (r: QueryRun) => string, order?: string[]): string {
  const groups = order ?? [...new Set(runs.map(groupOf))].sort();
  const header = [label, 'queries', ...modes.map((m) => `${m} nDCG@${k}`), ...modes.map((m) => `${m}, per file`)];
  const lines = [`| ${header.join(' | ')} |`, `|---|${header.slice(1).map(() => '---:').join('|')}|`];
  for (const group of groups) {
    const mine = runs.filter((r) => groupOf(r) === group);
    const cell = (mode: SearchMode, grouping: Grouping) => {
      const v = mean(mine.filter((r) => r.mode === mode && r.grouping === grouping).map((r) => r.metrics.ndcg));
      return Number.isNaN(v) ? '–' : v.toFixed(3);
    };
    const queries = mine.filter((r) => r.mode === modes[0] && r.grouping === 'chunks').length;
    lines.push(`| ${group} | ${queries} | ${modes.map((m) => cell(m, 'chunks')).join(' | ')} | ${modes.map((m) => cell(m, 'files')).join(' | ')} |`);
  }
  return lines.join('\n');
}

function section(title: string, runs: QueryRun[], modes: SearchMode[], k: number): string {
  if (runs.length === 0) return '';
  return [
    `## ${title}`,
    '',
    table(runs, modes, k, '', () => 'all'),
    '',
    '### By language',
    '',
    table(runs, modes, k, 'language', (r) => r.language),
    '',
    '### By category',
    '',
    table(runs, modes, k, 'category', (r) => r.category, [...CODE_CATEGORIES]),
    '',
    '### By repository',
    '',
    table(runs, modes, k, 'repository', (r) => `${r.repo} (${r.language})`),
    '',
  ].join('\n');
}

function summary(runs: QueryRun[], modes: SearchMode[]) {
  const ndcg = (list: QueryRun[]) =>
    Object.fromEntries(modes.map((m) => [m, Object.fromEntries((['chunks', 'files'] as const).map((g) => [g, round(mean(list.filter((r) => r.mode === m && r.grouping === g).map((r) => r.metrics.ndcg)))]))]));
  const by = (list: QueryRun[], key: (r: QueryRun) => string) => Object.fromEntries([...new Set(list.map(key))].sort().map((g) => [g, ndcg(list.filter((r) => key(r) === g))]));
  const part = (list: QueryRun[]) => ({ overall: ndcg(list), byLanguage: by(list, (r) => r.language), byCategory: by(list, (r) => r.category), byRepository: by(list, (r) => r.repo) });
  return { tune: part(runs.filter((r) => !r.heldOut)), heldOut: part(runs.filter((r) => r.heldOut)) };
}

const round = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 1000) / 1000);

async function main(): Promise<void> {
  const { check, repos, split, modes, k, ablation, quick, settings } = options();
  const loaded = await loadAndCheck(repos, split);
  console.error(`${loaded.length} repositories, ${loaded.reduce((s, l) => s + l.repo.queries.length, 0)} questions: valid`);
  if (check) return;
  if (ablation) return ablate(loaded, modes, k, settings, quick);
  const started = Date.now();
  const load = loadavg()[0];
  const { runs, index } = await run(loaded, modes, k);
  const minutes = (Date.now() - started) / 60000;
  // The committed results are the deep tier's (an index whose deep tier is complete); the fast tier's go to bench/INSTANT.md.
  const complete = !repos && split === 'all' && SEARCH_MODES.every((m) => modes.includes(m)) && k === DEFAULT_K && TIERS === 'deep';
  const scope = `${complete ? 'every repository' : `repositories ${loaded.map((l) => l.repo.id).join(', ')}`}, modes ${modes.join(', ')}`;
  const results = [
    MARKER,
    '',
    `Measured by \`npm run eval:code\` on ${new Date().toISOString().slice(0, 10)} (${scope}; ${machineDescription()};`,
    `${minutes.toFixed(1)} min with indexing, load ${load.toFixed(1)} at the start). nDCG@${k} with graded gains, the mean over questions;`,
    `"per file" is the same search with one result per file (\`groupByFile\`).`,
    '',
    section('Tuned on', runs.filter((r) => !r.heldOut), modes, k),
    section('Held out (no setting may be chosen on these)', runs.filter((r) => r.heldOut), modes, k),
    '## Corpora',
    '',
    '| repository | language | held out | files | chunks | questions | source |',
    '|---|---|---|---:|---:|---:|---|',
    ...loaded.map(({ repo }) => {
      const s = repo.source;
      const source = s.kind === 'debian' ? `debian ${s.package} ${s.version}` : `${s.kind} ${s.spec}`;
      return `| ${repo.id} | ${repo.language} | ${repo.heldOut ? 'yes' : 'no'} | ${index[repo.id].files} | ${index[repo.id].chunks} | ${repo.queries.length} | ${source}${s.root ? ` (${s.root})` : ''} |`;
    }),
    '',
  ].join('\n');
  mkdirSync(CACHE, { recursive: true });
  const report = { date: new Date().toISOString(), k, modes, repos: loaded.map((l) => l.repo.id), index, summary: summary(runs, modes) };
  writeFileSync(join(CACHE, 'code-bench-report.json'), JSON.stringify({ ...report, runs }));
  writeFileSync(join(CACHE, 'code-bench-report.md'), results);
  if (complete) {
    const before = existsSync(OUT_MD) ? readFileSync(OUT_MD, 'utf8') : '';
    const header = before.includes(MARKER) ? before.slice(0, before.indexOf(MARKER)) : '# The code benchmark\n\n';
    writeFileSync(OUT_MD, header + results);
    writeFileSync(OUT_JSON, JSON.stringify(report, null, 2) + '\n');
    console.error(`wrote ${relative(ROOT, OUT_MD)} and ${relative(ROOT, OUT_JSON)}`);
  } else {
    console.error(`a partial run: wrote bench/.cache/code-bench-report.md and .json (bench/CODE-BENCH.md is only rewritten by a complete run)`);
  }
  process.stdout.write(results);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
