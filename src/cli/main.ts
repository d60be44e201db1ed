/**
 * `quipu`: the engine from a terminal. `quipu index`, `quipu search`, `quipu status`, `quipu verify`, `quipu mcp`, `quipu embed`, `quipu eval`.
 * Exit codes: 0 done (even with skipped files), 1 failure (or `verify` found problems), 2 usage error, 3 model missing,
 * 4 index locked by another process, 130 cancelled (Ctrl-C; what was finished is kept).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, DEFAULT_LIMIT_SETTINGS, DEFAULT_PIPELINE_SETTINGS, makeConfig, TIER_PLANS, type QuipuConfig, type TierPlan } from '../core/config/config';
import { EmbedderRecordError } from '../core/embed/embedder-record';
import { ModelNotFoundError } from '../core/embed/model';
import { StaticModelError } from '../core/embed/static-model';
import type { RemoteEmbedderSettings } from '../core/config/embedder-settings';
import { RemoteEmbedderError } from '../core/embed/remote-embedder';
import { DEFAULT_VECTOR_CACHE_BYTES, defaultVectorCacheDir } from '../core/embed/vector-cache';
import { IndexNotReadyError, QuipuEngine } from '../core/engine/engine';
import { DatasetError, formatEvalTable, loadDataset, runEval, SEARCH_MODES } from '../core/eval/run';
import { DEFAULT_SEARCH_MODE, type SearchMode } from '../core/search/search';
import { searchScope } from '../core/engine/searcher';
import { IndexLockedError } from '../core/store/lock';
import type { TeamIndex, TeamTarget } from '../core/team/team';
import { TEAM_TOKEN_ENV, TeamIndexError } from '../core/store/team-address';
import { IndexCorruptError } from '../core/store/types';
import { version } from '../../package.json';
import { createIndexReporter, printPublish, printSearchResults, printStatus, printSummary, printTeamStatus, printVerify } from './output';
import { jsonText, terminalSafe } from './terminal-text';

const EXIT = { ok: 0, failure: 1, usage: 2, model: 3, locked: 4, cancelled: 130 } as const;

class UsageError extends Error {}

/**
 * The team index (the Chroma client) and the MCP server (its SDK, zod, ajv) load when a command
 * uses them: evaluated at start they held ~25 MB of every command's memory (bench/MEMORY.md).
 */
async function teamIndexFor(...args: Parameters<typeof TeamIndex.for>): Promise<TeamIndex> {
  const { TeamIndex } = await import('../core/team/team.js');
  return TeamIndex.for(...args);
}

/** `--store` and `--collection` together, or neither; the token only from the environment. */
function teamTargetOf(flags: { store?: string; collection?: string }): TeamTarget | undefined {
  if (!flags.store && !flags.collection) return undefined;
  if (!flags.store || !flags.collection) throw new UsageError('--store and --collection go together (e.g. --store chroma://127.0.0.1:8000 --collection my-repo)');
  const token = process.env[TEAM_TOKEN_ENV];
  return { url: flags.store, collection: flags.collection, ...(token ? { token } : {}) };
}

function withTeamOptions(command: Command): Command {
  return grouped(command, 'Team index (docs/team-index.md):', (c) =>
    c
      .option('--store <url>', `a team index on a server: chroma://host:port, or chroma+https://host:port for TLS (token: $${TEAM_TOKEN_ENV})`)
      .option('--collection <name>', "the team index's collection on that server"),
  );
}

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
  embedUrl?: string;
  embedModel?: string;
  embedProvider?: 'openai' | 'ollama';
  embedDimensions?: number;
  embedQueryPrefix?: string;
  embedDocumentPrefix?: string;
  embedMaxTokens?: number;
  embedBatchSize?: number;
  embedInFlight?: number;
  embedApiKeyEnv?: string;
  embedLocal?: boolean;
  staticModel?: string;
  tiers?: TierPlan;
  vectorCache?: boolean;
  vectorCacheMb?: number;
  workerHeapMb?: number;
  maxInflatedMb?: number;
  maxExtractedChars?: number;
}

/**
 * Options in help groups, each command taking only the groups it reads. The model, chunk and
 * remote-embedder options make an index's identity (a change rebuilds it): every command that
 * opens an index reads them, to match one built with other settings than the defaults.
 */
function grouped(command: Command, heading: string, add: (command: Command) => Command): Command {
  // Back to the default group, where `--help` and each command's own options stay.
  return add(command.optionsGroup(heading)).optionsGroup('Options:');
}

/**
 * `index`: what the command does with an index, as for `withRemoteOptions`; `embed` cuts no chunks;
 * `mcp` serves indexes (it builds them with the default chunks, in the tiers it is told).
 */
function withModelOptions(command: Command, index: 'builds' | 'reads' | 'serves' | 'none'): Command {
  const heading = {
    builds: 'Model and chunks (recorded by the index; a change rebuilds it):',
    reads: 'Model and chunks (only to read an index built with other ones than the defaults):',
    serves: 'Model and tiers:',
    none: 'Model:',
  }[index];
  return grouped(command, heading, (c) => {
    c.option('--model <id-or-folder>', 'embedding model: a folder in the transformers.js layout or a Hugging Face id (default: the bundled all-MiniLM-L6-v2)');
    if (index === 'none') return c;
    c.addOption(
        new Option('--tiers <plan>', 'fast: words and static vectors only, searchable at tokenizer speed; fast-deep: then the transformer behind them (default); deep: the transformer alone (the only plan with --embed-url)').choices([
          ...TIER_PLANS,
        ]),
      )
      .option('--static-model <file>', "the fast tier's static model (default: the one `npm run setup-model` distils from the bundled model; bench/STATIC.md)");
    if (index === 'serves') return c;
    return c
      .addOption(new Option('--max-tokens <n>', 'largest chunk, in model tokens').argParser(positiveInt))
      .addOption(new Option('--overlap <n>', 'tokens shared by consecutive chunks').argParser((v) => Number(v)))
      .option('--no-embed-context', 'embed chunks without their file path and enclosing symbol in front (on by default; see bench/QUALITY-EXPERIMENTS.md)');
  });
}

/**
 * `index`: what the command does with an index: builds one (the server is remembered by it), reads
 * one (which remembers it), or none (`embed`: texts as given, so no prefix, no chunk limit).
 * `local`: the command takes the remembered server, and `--embed-local` leaves it.
 */
function withRemoteOptions(command: Command, index: 'builds' | 'reads' | 'none', local = false): Command {
  const heading = {
    builds: 'Remote embedding server (remembered by the index; docs/remote-embedders.md):',
    reads: 'Remote embedding server (only for an index that does not remember it: one inside its folder):',
    none: 'Remote embedding server (docs/remote-embedders.md):',
  }[index];
  return grouped(command, heading, (c) => {
    c.option('--embed-url <url>', 'embed with a remote server instead of the bundled model: its base URL, e.g. http://127.0.0.1:8080/v1')
      .option('--embed-model <name>', "the remote server's model name, e.g. nomic-embed-text")
      .addOption(new Option('--embed-provider <api>', 'the remote API').choices(['openai', 'ollama']).default(undefined, 'openai, OpenAI-compatible /v1/embeddings'))
      .addOption(new Option('--embed-dimensions <n>', 'ask the server for shorter vectors (models that can)').argParser(positiveInt))
      .option('--embed-api-key-env <name>', 'environment variable holding the API key (sent as a bearer token, never printed)');
    if (index !== 'none') {
      c.option('--embed-query-prefix <text>', 'put in front of each query (e5: "query: ", nomic: "search_query: ")')
        .option('--embed-document-prefix <text>', 'put in front of each chunk (e5: "passage: ", nomic: "search_document: ")')
        .addOption(new Option('--embed-max-tokens <n>', "the remote model's input limit in tokens (default: known for common models, else 512)").argParser(positiveInt));
    }
    if (local) c.option('--embed-local', 'embed with the bundled model even where the index remembers a remote server');
    return c;
  });
}

/** The groups of options a command reads, after its own: `index` as for `withRemoteOptions`. */
function withOptionGroups(command: Command, groups: { index: 'builds' | 'reads' | 'none'; embedLocal?: boolean; indexing?: boolean; team?: boolean }): Command {
  withRemoteOptions(withModelOptions(command, groups.index), groups.index, groups.embedLocal);
  if (groups.indexing) withIndexingOptions(command);
  if (groups.team) withTeamOptions(command);
  return command;
}

/** How a run that indexes goes: workers, batches, the vector cache, limits on hostile input. */
function withIndexingOptions(command: Command): Command {
  return grouped(command, 'Indexing (speed, vector cache, limits):', (c) =>
    c
      .addOption(new Option('--embed-workers <n>', `embedding worker threads (default: ${DEFAULT_PIPELINE_SETTINGS.embedWorkers} on this machine, from its cores)`).argParser(positiveInt))
      .addOption(new Option('--embed-threads <n>', 'ONNX Runtime threads per embedding worker').argParser(positiveInt))
      .addOption(new Option('--chunk-workers <n>', 'tokenizer/chunker worker threads').argParser(positiveInt))
      .addOption(new Option('--batch-size <n>', 'chunks per inference call').argParser(positiveInt))
      .addOption(new Option('--commit-chunks <n>', 'smallest batch of chunks written to the index at once').argParser(positiveInt))
      .addOption(new Option('--embed-batch-size <n>', 'with --embed-url: chunks per request (default 32)').argParser(positiveInt))
      .addOption(new Option('--embed-in-flight <n>', 'with --embed-url: most requests in flight (default 8; adapts below it)').argParser(positiveInt))
      .option('--no-vector-cache', "don't read or add to the machine's vector cache (~/.cache/quipu/vectors or $QUIPU_VECTOR_CACHE; off: QUIPU_VECTOR_CACHE=off)")
      .addOption(new Option('--vector-cache-mb <n>', `most MB the vector cache keeps per model (default ${DEFAULT_VECTOR_CACHE_BYTES >> 20})`).argParser(positiveInt))
      .addOption(new Option('--worker-heap-mb <n>', `heap cap of each extract and chunk worker, MB (default ${DEFAULT_LIMIT_SETTINGS.workerHeapMb}): a runaway file kills only its worker`).argParser(positiveInt))
      .addOption(new Option('--max-inflated-mb <n>', `most a PDF's or DOCX's compressed parts may inflate to, MB (default ${DEFAULT_LIMIT_SETTINGS.maxInflatedBytes / 1024 / 1024}): decompression bombs are skipped`).argParser(positiveInt))
      .addOption(new Option('--max-extracted-chars <n>', `longest text kept from one PDF or DOCX (default ${DEFAULT_LIMIT_SETTINGS.maxExtractedChars})`).argParser(positiveInt)),
  );
}

/**
 * The remote embedder the flags ask for; or, with none, the one the index remembers. A damaged record
 * stops the command (naming the file), except `verify`, which reports it as damage (`lenientRecord`).
 */
async function remoteFrom(flags: EngineFlags, index?: { folder: string; indexDir: string; lenientRecord?: boolean }): Promise<RemoteEmbedderSettings | undefined> {
  if (flags.embedLocal) return undefined;
  // The fast tier alone embeds on this machine, whatever the index remembers.
  if (flags.tiers === 'fast' && !flags.embedUrl) return undefined;
  if (!flags.embedUrl) {
    if (flags.embedModel) throw new UsageError('--embed-model needs --embed-url (the server to ask).');
    if (!index) return undefined;
    return QuipuEngine.rememberedEmbedder(index.folder, index.indexDir).catch((error: unknown) => {
      if (index.lenientRecord && error instanceof EmbedderRecordError) return undefined;
      throw error;
    });
  }
  if (!flags.embedModel) throw new UsageError('--embed-url needs --embed-model (the name the server knows the model by).');
  return {
    provider: flags.embedProvider ?? 'openai',
    url: flags.embedUrl,
    model: flags.embedModel,
    ...(flags.embedDimensions ? { dimensions: flags.embedDimensions } : {}),
    ...(flags.embedQueryPrefix ? { queryPrefix: flags.embedQueryPrefix } : {}),
    ...(flags.embedDocumentPrefix ? { documentPrefix: flags.embedDocumentPrefix } : {}),
    ...(flags.embedMaxTokens ? { maxInputTokens: flags.embedMaxTokens } : {}),
    ...(flags.embedBatchSize ? { batchSize: flags.embedBatchSize } : {}),
    ...(flags.embedInFlight ? { maxInFlight: flags.embedInFlight } : {}),
    ...(flags.embedApiKeyEnv ? { apiKeyEnv: flags.embedApiKeyEnv } : {}),
  };
}

function configFrom(flags: EngineFlags, embedder?: RemoteEmbedderSettings): QuipuConfig {
  const cacheDir = flags.vectorCache === false ? undefined : defaultVectorCacheDir();
  return makeConfig({
    model: flags.model,
    embedder,
    ...(flags.tiers ? { tiers: flags.tiers } : {}),
    ...(flags.staticModel ? { staticModel: resolve(flags.staticModel) } : {}),
    ...(cacheDir ? { vectorCache: { dir: cacheDir, maxBytes: (flags.vectorCacheMb ?? DEFAULT_VECTOR_CACHE_BYTES >> 20) * 2 ** 20 } } : {}),
    chunk: {
      ...(flags.maxTokens ? { maxTokens: flags.maxTokens } : {}),
      ...(flags.overlap !== undefined ? { overlapTokens: flags.overlap } : {}),
      ...(flags.embedContext === false ? { embedContext: false } : {}),
    },
    pipeline: {
      // One run, then the process exits: chunk workers need not wait for a next one.
      keepChunkWorkers: false,
      ...(flags.embedWorkers ? { embedWorkers: flags.embedWorkers } : {}),
      ...(flags.embedThreads ? { embedThreads: flags.embedThreads } : {}),
      ...(flags.chunkWorkers ? { chunkWorkers: flags.chunkWorkers } : {}),
      ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
      ...(flags.commitChunks ? { commitChunks: flags.commitChunks } : {}),
    },
    limits: {
      ...(flags.workerHeapMb ? { workerHeapMb: flags.workerHeapMb } : {}),
      ...(flags.maxInflatedMb ? { maxInflatedBytes: flags.maxInflatedMb * 1024 * 1024 } : {}),
      ...(flags.maxExtractedChars ? { maxExtractedChars: flags.maxExtractedChars } : {}),
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

async function withEngine<T>(flags: EngineFlags, body: (engine: QuipuEngine) => Promise<T>, index?: { folder: string; indexDir?: string; lenientRecord?: boolean }): Promise<T> {
  const remote = await remoteFrom(flags, index && { ...index, indexDir: index.indexDir ?? QuipuEngine.defaultIndexDir(index.folder) });
  const engine = await QuipuEngine.create(configFrom(flags, remote));
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
    .exitOverride();

  withOptionGroups(
    program
      .command('index')
      .description('index a folder, or bring its index up to date')
      .argument('[folder]', 'folder to index (default: the current one)', '.')
      .option('--index-dir <dir>', 'where the index lives (default: a cache folder outside the tree)')
      .option('--rebuild', 'discard the existing index and build it again')
      .option('--commit <sha>', 'with --store: the commit to record (default: the folder\'s Git HEAD)')
      .option('--json', 'print one JSON summary object on stdout'),
    { index: 'builds', embedLocal: true, indexing: true, team: true },
  ).action(async (folder: string, flags: EngineFlags & { indexDir?: string; rebuild?: boolean; json?: boolean; store?: string; collection?: string; commit?: string }) => {
    const root = requireFolder(folder);
    const team = teamTargetOf(flags);
    const controller = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
      if (++interrupts > 1) process.exit(EXIT.cancelled);
      process.stderr.write('\nStopping: keeping what is already indexed… (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSigint);
    try {
      const result = await withEngine(flags, async (engine) => {
        // Before anything is read: where the code goes to be embedded.
        if (!flags.json) process.stderr.write(`Embeddings are computed ${engine.embedder.where}.\n`);
        const reporter = createIndexReporter({ json: !!flags.json, tty: !!process.stderr.isTTY });
        try {
          const options = { indexDir: flags.indexDir, rebuild: flags.rebuild, signal: controller.signal, onEvent: (event: Parameters<typeof reporter.onEvent>[0]) => reporter.onEvent(event) };
          if (!team) return { summary: await engine.index(root, options) };
          const teamIndex = await teamIndexFor(engine, root, team);
          try {
            return await teamIndex.publish({ ...options, commit: flags.commit });
          } finally {
            await teamIndex.close();
          }
        } finally {
          reporter.stop();
        }
      }, { folder: root, indexDir: flags.indexDir }).then((r) => r as { summary: Awaited<ReturnType<QuipuEngine['index']>>; published?: Parameters<typeof printPublish>[0] });
      const { summary, published } = result;
      if (flags.json) process.stdout.write(jsonText(published ? { ...summary, published } : summary) + '\n');
      else {
        printSummary(summary);
        if (published && team) printPublish(published, team);
      }
      if (summary.cancelled) process.exitCode = EXIT.cancelled;
    } finally {
      process.off('SIGINT', onSigint);
    }
  });

  withOptionGroups(
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
      .option('--json', 'print a JSON array of {path, startLine, endLine, score, snippet, snippetStartLine}'),
    { index: 'reads', team: true },
  ).action(
    async (
      words: string[],
      flags: EngineFlags & { folder?: string; indexDir?: string; top: number; glob?: string[]; type?: string[]; group?: boolean; mode?: SearchMode; json?: boolean; store?: string; collection?: string },
    ) => {
      const query = words.join(' ').trim();
      if (!query) throw new UsageError('The query is empty.');
      const team = teamTargetOf(flags);
      const root = requireFolder(flags.folder ?? (team ? '.' : folderAround(process.cwd(), flags.indexDir, 'search')));
      const globs = flags.glob ?? [];
      const options = {
        topK: flags.top,
        include: globs.filter((g) => !g.startsWith('!')),
        exclude: globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1)),
        types: flags.type,
        groupByFile: flags.group,
        mode: flags.mode,
      };
      const results = await withEngine(flags, async (engine) => {
        // On stderr, so --json output stays one array; the results are still worth showing.
        const onDamage = (message: string) => process.stderr.write(`quipu: warning: ${terminalSafe(message)} (results from it are shown without their text)\n`);
        const teamIndex = team ? await teamIndexFor(engine, root, team, { overlayDir: flags.indexDir }) : undefined;
        try {
          const answer = await searchScope(engine, { folders: [{ folder: root, indexDir: flags.indexDir }], team: () => Promise.resolve(teamIndex) }, query, { ...options, onDamage });
          // Visible, on stderr, so --json output stays one array.
          if (answer.notice) process.stderr.write(`quipu: ${terminalSafe(answer.notice)}\n`);
          return answer.results.map(({ folderIndex: _, ...result }) => result);
        } finally {
          await teamIndex?.close();
        }
      }, { folder: root, indexDir: flags.indexDir });
      if (flags.json) process.stdout.write(jsonText(results, 2) + '\n');
      else printSearchResults(query, results, root);
    },
  );

  withOptionGroups(
    program
      .command('status')
      .description("what a folder's index holds: files, chunks, size, model, last update, and whether it must be rebuilt")
      .argument('[folder]', 'the indexed folder (default: the nearest indexed folder from the current one up)')
      .option('--index-dir <dir>', 'where the index lives (default: as for `quipu index`)')
      .option('--json', 'print one JSON object {indexDir, files, chunks, diskBytes, modelId, chunkSettings, updatedAt?, staleReason?, embedding: {backend, reason?}} (with --store: {team: {...}})'),
    { index: 'reads', team: true },
  ).action(async (folder: string | undefined, flags: EngineFlags & { indexDir?: string; json?: boolean; store?: string; collection?: string }) => {
    const team = teamTargetOf(flags);
    if (team) {
      const root = requireFolder(folder ?? '.');
      const status = await withEngine(flags, async (engine) => {
        const teamIndex = await teamIndexFor(engine, root, team, { overlayDir: flags.indexDir });
        try {
          await teamIndex.sync().catch(() => undefined);
          return await teamIndex.status();
        } finally {
          await teamIndex.close();
        }
      });
      if (flags.json) process.stdout.write(jsonText({ team: status }) + '\n');
      else printTeamStatus(root, status);
      return;
    }
    const root = requireFolder(folder ?? folderAround(process.cwd(), flags.indexDir, 'status'));
    const [status, embedding] = await withEngine(
      flags,
      (engine) => Promise.all([engine.status(flags.indexDir ?? QuipuEngine.defaultIndexDir(root)), engine.runtime()]),
      { folder: root, indexDir: flags.indexDir },
    );
    if (flags.json) process.stdout.write(jsonText({ ...status, ...(embedding ? { embedding } : {}) }) + '\n');
    else printStatus(root, status, embedding);
  });

  withTeamOptions(
    withModelOptions(
      program
        .command('mcp')
        .description('serve the folders to coding agents: a Model Context Protocol server on stdio (tools: search, similar, status, sync)')
        .argument('[folder...]', 'folders to serve (default: the current one; one folder with --store)')
        .option('--no-watch', 'do not watch the folders; only the `sync` tool updates the indexes'),
      'serves',
    ),
  ).action(async (folders: string[], flags: { watch: boolean; model?: string; tiers?: TierPlan; staticModel?: string; store?: string; collection?: string }) => {
    const roots = (folders.length > 0 ? folders : ['.']).map(requireFolder);
    const team = teamTargetOf(flags);
    if (team && roots.length !== 1) throw new UsageError('--store serves one folder: name only the folder the team index was published from');
    const { runMcpServer } = await import('../mcp/server.js');
    await runMcpServer(roots, {
      watch: flags.watch,
      model: flags.model,
      ...(flags.tiers ? { tiers: flags.tiers } : {}),
      ...(flags.staticModel ? { staticModel: resolve(flags.staticModel) } : {}),
      ...(team ? { team } : {}),
    });
  });

  withOptionGroups(
    program
      .command('verify')
      .description('check an index against its folder and itself (manifest, shards, catalog, word index, texts, files on disk); exit 1 when something is wrong')
      .argument('[folder]', 'the indexed folder (default: the nearest indexed folder from the current one up)')
      .option('--index-dir <dir>', 'where the index lives (default: as for `quipu index`)')
      .option('--repair', 're-index only what is wrong (a damaged manifest or catalog rebuilds the index)')
      .option('--json', 'print one JSON object {report, before?, summary?}'),
    { index: 'builds', embedLocal: true, indexing: true },
  ).action(async (folder: string | undefined, flags: EngineFlags & { indexDir?: string; repair?: boolean; json?: boolean }) => {
    const root = requireFolder(folder ?? folderAround(process.cwd(), flags.indexDir, 'status'));
    const result = await withEngine(flags, async (engine) => {
      const reporter = createIndexReporter({ json: !!flags.json, tty: !!process.stderr.isTTY });
      try {
        return await engine.verify(root, { indexDir: flags.indexDir, repair: flags.repair, onEvent: (event) => reporter.onEvent(event) });
      } finally {
        reporter.stop();
      }
      // The embedder the index remembers (a remote-built index is checked against its own model).
    }, { folder: root, indexDir: flags.indexDir, lenientRecord: true });
    if (flags.json) process.stdout.write(jsonText(result) + '\n');
    else printVerify(result);
    if (!result.report.ok) process.exitCode = EXIT.failure;
  });

  withOptionGroups(
    program
      .command('embed')
      .description('print the embedding of each text (for checking the model)')
      .argument('<text...>', 'texts to embed; quote each one')
      .option('--json', 'print a JSON array of {text, vector}'),
    { index: 'none' },
  ).action(async (texts: string[], flags: EngineFlags & { json?: boolean }) => {
    const vectors = await withEngine(flags, (engine) => engine.embed(texts));
    const rows = texts.map((text, i) => ({ text, dimensions: vectors[i].length, vector: Array.from(vectors[i]) }));
    if (flags.json) process.stdout.write(jsonText(rows) + '\n');
    else for (const row of rows) process.stdout.write(`${row.text}\n  [${row.vector.slice(0, 8).map((v) => v.toFixed(4)).join(', ')}, …] (${row.dimensions} dims)\n`);
  });

  withOptionGroups(
    program
      .command('eval')
      .description('measure search quality on datasets of queries with known answers: nDCG@10, MRR@10, Recall@10 per mode')
      .argument('<dataset...>', 'dataset JSON files (format: src/core/eval/run.ts; bundled ones in bench/eval)')
      .addOption(new Option('--mode <mode>', `search mode to measure, one of ${SEARCH_MODES.join(', ')} (repeatable; default: all)`).argParser(searchMode))
      .option('--index-dir <dir>', "keep each dataset's index in DIR/<dataset name> (default: its folder's usual index)")
      .option('--json', "print the whole report (every query's results included) as JSON"),
    { index: 'builds', indexing: true },
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
    process.stdout.write(flags.json ? jsonText(report) + '\n' : formatEvalTable(report));
  });

  oneLineUsageErrors(program, 'quipu');
  return program;
}

/**
 * A usage error is one line, and says where the usage is: the whole help after it (80 lines) pushed
 * the error off the screen. Commander's messages quote what was typed: shown terminal-safe.
 */
function oneLineUsageErrors(command: Command, path: string): void {
  command.configureOutput({
    outputError: (message, write) => {
      const line = message.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
      write(`quipu: ${terminalSafe(line)}. Run \`${path} --help\` for usage.\n`);
    },
  });
  for (const sub of command.commands) oneLineUsageErrors(sub, `${path} ${sub.name()}`);
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
    // Messages name files and quote index contents: never raw control characters on the terminal.
    process.stderr.write(`quipu: ${terminalSafe(message)}\n`);
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof TeamIndexError) return EXIT.usage;
    if (error instanceof ModelNotFoundError || error instanceof StaticModelError) return EXIT.model;
    if (error instanceof IndexLockedError) return EXIT.locked;
    if (error instanceof IndexNotReadyError || error instanceof RemoteEmbedderError || error instanceof IndexCorruptError) return EXIT.failure;
    if (process.env.QUIPU_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return EXIT.failure;
  }
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
