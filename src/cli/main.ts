/**
 * `quipu`: the engine from a terminal. `quipu index`, `quipu search`, `quipu status`, `quipu embed`, `quipu eval`.
 * Exit codes: 0 done (even with skipped files), 1 failure, 2 usage error, 3 model missing,
 * 4 index locked by another process, 130 cancelled (Ctrl-C; what was finished is kept).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, DEFAULT_PIPELINE_SETTINGS, makeConfig, type QuipuConfig } from '../core/config';
import { ModelNotFoundError } from '../core/embed/model';
import { IndexNotReadyError, QuipuEngine } from '../core/engine';
import { DatasetError, formatEvalTable, loadDataset, runEval, SEARCH_MODES } from '../core/eval/run';
import { DEFAULT_SEARCH_MODE, type SearchMode } from '../core/search/search';
import { IndexLockedError } from '../core/store/lock';
import { version } from '../../package.json';
import { createIndexReporter, printSearchResults, printStatus, printSummary } from './output';

const EXIT = { ok: 0, failure: 1, usage: 2, model: 3, locked: 4, cancelled: 130 } as const;

class UsageError extends Error {}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function searchMode(value: string, previous: SearchMode[] = []): SearchMode[] {
  const mode = SEARCH_MODES.find((m) => m === value);
  if (!mode) throw new InvalidArgumentError(`expected one of ${SEARCH_MODES.join(', ')}`);
  return [...previous, mode];
}

interface EngineFlags {
  model?: string;
  maxTokens?: number;
  overlap?: number;
  embedWorkers?: number;
  embedThreads?: number;
  chunkWorkers?: number;
  batchSize?: number;
  commitChunks?: number;
  embedContext?: boolean;
}

function withEngineOptions(command: Command): Command {
  return command
    .option('--model <id-or-folder>', 'embedding model: a folder in the transformers.js layout or a Hugging Face id (default: the bundled all-MiniLM-L6-v2)')
    .addOption(new Option('--max-tokens <n>', 'largest chunk, in model tokens').argParser(positiveInt))
    .addOption(new Option('--overlap <n>', 'tokens shared by consecutive chunks').argParser((v) => Number(v)))
    .addOption(new Option('--embed-workers <n>', `embedding worker threads (default: ${DEFAULT_PIPELINE_SETTINGS.embedWorkers} on this machine, from its cores)`).argParser(positiveInt))
    .addOption(new Option('--embed-threads <n>', 'ONNX Runtime threads per embedding worker').argParser(positiveInt))
    .addOption(new Option('--chunk-workers <n>', 'tokenizer/chunker worker threads').argParser(positiveInt))
    .addOption(new Option('--batch-size <n>', 'chunks per inference call').argParser(positiveInt))
    .addOption(new Option('--commit-chunks <n>', 'smallest batch of chunks written to the index at once').argParser(positiveInt))
    .option('--no-embed-context', 'embed chunks without their file path and enclosing symbol in front (on by default; see bench/QUALITY-EXPERIMENTS.md)');
}

function configFrom(flags: EngineFlags): QuipuConfig {
  return makeConfig({
    model: flags.model,
    chunk: {
      ...(flags.maxTokens ? { maxTokens: flags.maxTokens } : {}),
      ...(flags.overlap !== undefined ? { overlapTokens: flags.overlap } : {}),
      ...(flags.embedContext === false ? { embedContext: false } : {}),
    },
    pipeline: {
      ...(flags.embedWorkers ? { embedWorkers: flags.embedWorkers } : {}),
      ...(flags.embedThreads ? { embedThreads: flags.embedThreads } : {}),
      ...(flags.chunkWorkers ? { chunkWorkers: flags.chunkWorkers } : {}),
      ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
      ...(flags.commitChunks ? { commitChunks: flags.commitChunks } : {}),
    },
  });
}

function requireFolder(folder: string): string {
  const abs = resolve(folder);
  if (!existsSync(abs)) throw new UsageError(`Folder not found: ${folder}`);
  if (!statSync(abs).isDirectory()) throw new UsageError(`Not a folder: ${folder}`);
  return abs;
}

/**
 * The folder a search or status means when none is named: the nearest indexed one from the working
 * directory up (as git finds its repository), so `quipu search "…"` works anywhere inside an indexed
 * tree. With none, a search fails saying what to do; a status reports the working directory as not
 * indexed yet.
 */
function folderAround(start: string, indexDir: string | undefined, what: 'search' | 'status'): string {
  if (indexDir) return start;
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(QuipuEngine.defaultIndexDir(dir), 'manifest.json'))) return dir;
    if (dirname(dir) === dir) break;
  }
  if (what === 'status') return resolve(start);
  throw new IndexNotReadyError(`No index found for ${resolve(start)} or a folder above it. Run \`quipu index <folder>\` first, or name the indexed folder with --folder.`);
}

async function withEngine<T>(flags: EngineFlags, body: (engine: QuipuEngine) => Promise<T>): Promise<T> {
  const engine = await QuipuEngine.create(configFrom(flags));
  try {
    return await body(engine);
  } finally {
    await engine.close();
  }
}

export function buildProgram(): Command {
  const program = new Command('quipu')
    .description('Local, private semantic search over code, Markdown, text, PDF and DOCX.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();

  withEngineOptions(
    program
      .command('index')
      .description('index a folder, or bring its index up to date')
      .argument('[folder]', 'folder to index (default: the current one)', '.')
      .option('--index-dir <dir>', 'where the index lives (default: a cache folder outside the tree)')
      .option('--rebuild', 'discard the existing index and build it again')
      .option('--json', 'print one JSON summary object on stdout'),
  ).action(async (folder: string, flags: EngineFlags & { indexDir?: string; rebuild?: boolean; json?: boolean }) => {
    const root = requireFolder(folder);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(EXIT.cancelled);
      process.stderr.write('\nStopping: keeping what is already indexed… (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const summary = await withEngine(flags, async (engine) => {
        const reporter = createIndexReporter({ json: !!flags.json, tty: !!process.stderr.isTTY });
        try {
          return await engine.index(root, { indexDir: flags.indexDir, rebuild: flags.rebuild, signal: controller.signal, onEvent: (event) => reporter.onEvent(event) });
        } finally {
          reporter.stop();
        }
      });
      if (flags.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else printSummary(summary);
      if (summary.cancelled) process.exitCode = EXIT.cancelled;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });

  withEngineOptions(
    program
      .command('search')
      .description('search an indexed folder')
      .argument('<query...>', 'what to look for, in your own words')
      .option('--folder <folder>', 'the indexed folder (default: the nearest indexed folder from the current one up)')
      .option('--index-dir <dir>', 'where the index lives (default: as for `quipu index`)')
      .addOption(new Option('--top <k>', 'number of results').argParser(positiveInt).default(10))
      .option('--glob <pattern>', 'only paths matching this glob (repeatable; prefix ! to exclude)', collect)
      .option('--type <ext>', 'only this file type, e.g. ts, md, pdf (repeatable)', collect)
      .option('--group', 'one result per file')
      .addOption(new Option('--mode <mode>', `ranking: ${SEARCH_MODES.join(', ')} (default: ${DEFAULT_SEARCH_MODE}, the best measured)`).argParser((v: string) => searchMode(v, [])[0]))
      .option('--json', 'print a JSON array of {path, startLine, endLine, score, snippet}'),
  ).action(
    async (
      words: string[],
      flags: EngineFlags & { folder?: string; indexDir?: string; top: number; glob?: string[]; type?: string[]; group?: boolean; mode?: SearchMode; json?: boolean },
    ) => {
      const query = words.join(' ').trim();
      if (!query) throw new UsageError('The query is empty.');
      const root = requireFolder(flags.folder ?? folderAround(process.cwd(), flags.indexDir, 'search'));
      const globs = flags.glob ?? [];
      const results = await withEngine(flags, (engine) =>
        engine.search(root, query, {
          indexDir: flags.indexDir,
          topK: flags.top,
          include: globs.filter((g) => !g.startsWith('!')),
          exclude: globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1)),
          types: flags.type,
          groupByFile: flags.group,
          mode: flags.mode,
        }),
      );
      if (flags.json) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
      else printSearchResults(query, results, root);
    },
  );

  withEngineOptions(
    program
      .command('status')
      .description("what a folder's index holds: files, chunks, size, model, last update, and whether it must be rebuilt")
      .argument('[folder]', 'the indexed folder (default: the nearest indexed folder from the current one up)')
      .option('--index-dir <dir>', 'where the index lives (default: as for `quipu index`)')
      .option('--json', 'print one JSON object {indexDir, files, chunks, diskBytes, modelId, chunkSettings, updatedAt?, staleReason?, embedding: {backend, reason?}}'),
  ).action(async (folder: string | undefined, flags: EngineFlags & { indexDir?: string; json?: boolean }) => {
    const root = requireFolder(folder ?? folderAround(process.cwd(), flags.indexDir, 'status'));
    const [status, embedding] = await withEngine(flags, (engine) =>
      Promise.all([engine.status(flags.indexDir ?? QuipuEngine.defaultIndexDir(root)), engine.runtime()]),
    );
    if (flags.json) process.stdout.write(JSON.stringify({ ...status, embedding }) + '\n');
    else printStatus(root, status, embedding);
  });

  withEngineOptions(
    program
      .command('embed')
      .description('print the embedding of each text (for checking the model)')
      .argument('<text...>', 'texts to embed; quote each one')
      .option('--json', 'print a JSON array of {text, vector}'),
  ).action(async (texts: string[], flags: EngineFlags & { json?: boolean }) => {
    const vectors = await withEngine(flags, (engine) => engine.embed(texts));
    const rows = texts.map((text, i) => ({ text, dimensions: vectors[i].length, vector: Array.from(vectors[i]) }));
    if (flags.json) process.stdout.write(JSON.stringify(rows) + '\n');
    else for (const row of rows) process.stdout.write(`${row.text}\n  [${row.vector.slice(0, 8).map((v) => v.toFixed(4)).join(', ')}, …] (${row.dimensions} dims)\n`);
  });

  withEngineOptions(
    program
      .command('eval')
      .description('measure search quality on datasets of queries with known answers: nDCG@10, MRR@10, Recall@10 per mode')
      .argument('<dataset...>', 'dataset JSON files (format: src/core/eval/run.ts; bundled ones in bench/eval)')
      .addOption(new Option('--mode <mode>', `search mode to measure, one of ${SEARCH_MODES.join(', ')} (repeatable; default: all)`).argParser(searchMode))
      .option('--index-dir <dir>', "keep each dataset's index in DIR/<dataset name> (default: its folder's usual index)")
      .option('--json', "print the whole report (every query's results included) as JSON"),
  ).action(async (files: string[], flags: EngineFlags & { mode?: SearchMode[]; indexDir?: string; json?: boolean }) => {
    const datasets = await Promise.all(files.map((file) => loadDataset(file))).catch((error: unknown) => {
      throw error instanceof DatasetError ? new UsageError(error.message) : error;
    });
    const report = await withEngine(flags, (engine) =>
      runEval(engine, datasets, {
        modes: flags.mode ?? SEARCH_MODES,
        indexRoot: flags.indexDir,
        observeIndexing: () => createIndexReporter({ json: !!flags.json, tty: !!process.stderr.isTTY }),
      }),
    );
    process.stdout.write(flags.json ? JSON.stringify(report) + '\n' : formatEvalTable(report));
  });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  // `quipu search … | head` closes the pipe before the results are all written: stop quietly, as
  // other command-line tools do, rather than with a stack trace. (The index is written before any
  // result is printed, so nothing is lost.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`quipu: ${message}\n`);
    if (error instanceof UsageError || error instanceof ConfigError) return EXIT.usage;
    if (error instanceof ModelNotFoundError) return EXIT.model;
    if (error instanceof IndexLockedError) return EXIT.locked;
    if (error instanceof IndexNotReadyError) return EXIT.failure;
    if (process.env.QUIPU_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.failure;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
