/**
 * The tools of `quipu mcp`: `search`, `similar`, `status` and `sync`, each with an input schema, an
 * output schema (structured content) and a compact text form. A tool's failure is a tool error
 * (`isError`), never a dead server: the SDK turns a thrown error into one.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { IndexNotReadyError, type QuipuEngine } from '../core/engine/engine';
import type { IndexEvent } from '../core/pipeline/events';
import { DEFAULT_SEARCH_MODE, type SearchMode, type SearchResult } from '../core/search/search';
import { checkQueryLength, MAX_QUERY_CHARS } from '../core/search/query-limit';
import { NotIndexedError } from '../core/search/similar';
import { pickFolders, resolveServedPath, ToolInputError, type ServedFolder } from './folders';
import { DEFAULT_SNIPPET_LINES, formatResults, scoreMeaning, type LabeledResult } from '../core/search/agent-text';
import { freshnessNote, tierNote } from './format';
import type { TierPlan } from '../core/config/config';
import { describeTierCounts } from '../shared/tiers';
import type { FolderKeeper, KeptFolderState } from '../core/keeper/folder-keeper';
import type { ServedWatches } from './watch';
import { searchScope } from '../core/engine/searcher';
import type { TeamSession, TeamSessionState } from '../core/team/team-session';

/** How long a search waits for changes already seen to be indexed before answering anyway. */
export const SETTLE_MS = 2000;
const MAX_TOP_K = 50;
const MAX_SKIPPED_LISTED = 20;

interface FolderResult extends LabeledResult {
  folder: ServedFolder;
}

export interface ToolContext {
  served: ServedFolder[];
  engine: () => Promise<QuipuEngine>;
  keeper: FolderKeeper;
  watches: ServedWatches;
  /** Set when searches use a team index (`quipu mcp --store … --collection …`). */
  team?: () => Promise<TeamSession>;
  /** Why the engine runs fewer tiers than asked for (a remote-built index, a missing static model), once it is made. */
  tierNote?: () => string | undefined;
}

const deepTierSchema = z
  .enum(['complete', 'running', 'waiting', 'incomplete', 'off'])
  .describe(
    "The deep tier (the transformer's vectors, computed behind the fast tier's static ones): complete; running (in the background, searches go on); waiting (behind other updates); incomplete (the next update continues it); off (--tiers fast).",
  );

/** Where a folder's deep tier stands; undefined when nothing is known yet (no run ended in this server, none going). */
function deepTierOf(plan: TierPlan, counts: { fast: number; deep: number } | undefined, state: KeptFolderState): z.infer<typeof deepTierSchema> | undefined {
  if (plan === 'fast') return 'off';
  if (state.deepRunning) return 'running';
  if (state.deepPending) return 'waiting';
  if (!counts) return undefined;
  return counts.fast === 0 ? 'complete' : 'incomplete';
}

const DEEP_TIER_WORDS: Record<z.infer<typeof deepTierSchema>, string> = {
  complete: 'the deep tier is complete',
  running: 'the deep tier is being computed in the background (searches go on meanwhile)',
  waiting: 'the deep tier waits for other updates to finish',
  incomplete: 'the deep tier is incomplete (the next update continues it)',
  off: 'no deep tier (--tiers fast)',
};

const filters = {
  include: z.array(z.string()).optional().describe('Only paths matching one of these globs, relative to the folder (e.g. "src/**").'),
  exclude: z.array(z.string()).optional().describe('No paths matching any of these globs (e.g. "**/*.test.ts").'),
  types: z.array(z.string()).optional().describe('Only these file types, as extensions without the dot (e.g. ["ts", "md", "pdf"]).'),
  folder: z.string().optional().describe('One served folder (its name or path); default: all of them.'),
  max_snippet_lines: z.number().int().min(0).max(40).default(DEFAULT_SNIPPET_LINES).describe('Lines of each result\'s text to show (0: locations only).'),
  group_by_file: z.boolean().default(false).describe('At most one result per file.'),
};

const resultSchema = z.object({
  folder: z.string().describe('The served folder (name) the path is relative to.'),
  path: z.string(),
  start_line: z.number().int(),
  end_line: z.number().int(),
  page: z.number().int().optional().describe('PDF page, for documents with pages.'),
  symbol: z.string().optional().describe('Enclosing function, class or heading.'),
  language: z.string(),
  score: z.number(),
  snippet: z.string().describe('The lines of the chunk that matched the query (its first lines when none did).'),
  snippet_start_line: z.number().int().describe('The file line of the snippet\'s first line.'),
});

const teamSchema = z
  .object({
    collection: z.string(),
    url: z.string(),
    available: z.boolean().optional().describe('Whether the server answered when last asked; false: searches show the local changes only.'),
    notice: z.string().optional().describe('Why the team index is not used now.'),
    error: z.string().optional().describe('Why the team index cannot be used (another model, a refused token).'),
    commit: z.string().optional().describe('The commit the base was indexed at.'),
    generation: z.number().int().optional(),
    updated_at: z.string().optional().describe('When the base generation was published.'),
    base_files: z.number().int().optional(),
    overlay_files: z.number().int().optional().describe('Files changed or added here, indexed locally.'),
    replaced_files: z.number().int().optional().describe('Base files changed or deleted here (their base hits are dropped).'),
  })
  .describe('The team index searches use: the base on a server plus the local overlay.');

function teamOf(state: TeamSessionState): z.infer<typeof teamSchema> {
  return {
    collection: state.collection,
    url: state.url,
    ...(state.available !== undefined ? { available: state.available } : {}),
    ...(state.notice ? { notice: state.notice } : {}),
    ...(state.error ? { error: state.error } : {}),
    ...(state.commit ? { commit: state.commit } : {}),
    ...(state.generation !== undefined ? { generation: state.generation } : {}),
    ...(state.updatedAt ? { updated_at: state.updatedAt } : {}),
    ...(state.baseFiles !== undefined ? { base_files: state.baseFiles } : {}),
    ...(state.overlayFiles !== undefined ? { overlay_files: state.overlayFiles } : {}),
    ...(state.replacedFiles !== undefined ? { replaced_files: state.replacedFiles } : {}),
  };
}

/** One line for an agent: which team index, how fresh, or why only local changes are searched. */
function teamLine(team: z.infer<typeof teamSchema>): string {
  const where = `the team index ${team.collection} at ${team.url}`;
  if (team.error) return `Team index: cannot use ${where}: ${team.error}`;
  if (team.available === false) return `Team index: ${team.notice ?? `${where} does not answer`}.`;
  return `Team index: searches use ${where}${team.commit ? `, commit ${team.commit}` : ''}${team.generation !== undefined ? ` (generation ${team.generation})` : ''}, plus ${team.overlay_files ?? 0} file(s) changed here.`;
}

const freshnessSchema = z.object({
  folder: z.string(),
  pending_files: z.number().int().describe('Files seen changing that are not indexed yet.'),
  updating: z.boolean().describe('An update (full pass) waits or runs.'),
  another_writer: z.boolean().describe('Another Quipu process holds the index lock; results are what it committed.'),
  checked_at: z.string().optional().describe('When this server last brought the index up to date with the disk.'),
  note: z.string().optional(),
  tiers: z.enum(['fast', 'fast-deep', 'deep']).describe('The tiers the index is built in (--tiers).'),
  fast_chunks: z.number().int().optional().describe('Chunks ranked by their fast (static) vectors, as the last update left them.'),
  deep_chunks: z.number().int().optional().describe("Chunks ranked by the transformer's vectors, as the last update left them."),
  deep_tier: deepTierSchema.optional(),
  tier_note: z.string().optional().describe('Set while the deep tier is incomplete: how many chunks are ranked by fast vectors.'),
});

export function registerTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'search',
    {
      title: 'Semantic code search',
      description:
        'Search the indexed folders by meaning and by words: describe what the code does in plain words ("where are passwords hashed") or give an identifier. ' +
        'Returns ranked chunks (path, line range, enclosing symbol, score, snippet). Covers code, Markdown, text, PDF and DOCX. Local and offline.',
      inputSchema: {
        query: z.string().describe(`What to look for, in your own words, or an identifier. "Quoted" for an exact phrase. At most ${MAX_QUERY_CHARS} characters.`),
        top_k: z.number().int().min(1).max(MAX_TOP_K).default(10).describe(`Results to return (1-${MAX_TOP_K}).`),
        mode: z.enum(['hybrid', 'vector', 'lexical']).default(DEFAULT_SEARCH_MODE).describe('hybrid: meaning and words (best measured); vector: meaning only; lexical: words only (BM25).'),
        ...filters,
      },
      outputSchema: { results: z.array(resultSchema), mode: z.string(), score_meaning: z.string(), freshness: z.array(freshnessSchema), team: teamSchema.optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args, extra) => {
      const query = args.query.trim();
      if (!query) throw new ToolInputError('The query is empty: say what to look for.');
      // Before waiting on the keeper: the engine refuses it too, with the same message.
      checkQueryLength(query);
      const folders = pickFolders(ctx.served, args.folder);
      const engine = await ctx.engine();
      await ctx.keeper.settle(SETTLE_MS);
      const mode = args.mode as SearchMode;
      let found;
      try {
        // One ranking over the served folders' candidates, or a team's base and the folder's overlay.
        found = await searchScope(
          engine,
          { folders: folders.map((folder) => ({ folder: folder.root, indexDir: folder.indexDir })), ...(ctx.team ? { team: ctx.team } : {}) },
          query,
          { topK: args.top_k, mode, include: args.include, exclude: args.exclude, types: args.types, groupByFile: args.group_by_file, signal: extra.signal },
        );
      } catch (error) {
        if (error instanceof IndexNotReadyError) throw new Error(folders.map((folder) => notReady(ctx, folder, error)).join('\n'));
        throw error;
      }
      const notes = found.unavailable.map(({ folderIndex, error }) => notReady(ctx, folders[folderIndex], error));
      if (found.notice) notes.push(`${found.notice}.`);
      const results = found.results.map(({ folderIndex, ...result }) => ({ ...result, folder: folders[folderIndex] }));
      return answer(ctx, engine.tiers, folders, results, args.max_snippet_lines, `${results.length} result(s) for "${query}" (${mode}; score: ${scoreMeaning(mode, query)}).`, notes, {
        mode,
        score_meaning: scoreMeaning(mode, query),
        ...(ctx.team ? { team: teamOf((await ctx.team()).state) } : {}),
      });
    },
  );

  server.registerTool(
    'similar',
    {
      title: 'Find similar code',
      description:
        'The chunks most like some lines of an indexed file: duplicated logic, other implementations of the same thing, related docs. ' +
        'Give a path (relative to a served folder) and optionally a line range; uses the stored embeddings (nothing is re-embedded).',
      inputSchema: {
        path: z.string().describe('A file in a served folder, relative to it (or absolute).'),
        start_line: z.number().int().min(1).optional().describe('First line (1-based); default: the start of the file.'),
        end_line: z.number().int().min(1).optional().describe('Last line (inclusive); default: start_line, or the end of the file.'),
        top_k: z.number().int().min(1).max(MAX_TOP_K).default(10).describe(`Results to return (1-${MAX_TOP_K}).`),
        ...filters,
      },
      outputSchema: {
        source: z.object({ folder: z.string(), path: z.string(), start_line: z.number().int(), end_line: z.number().int(), chunks: z.number().int(), symbol: z.string().optional() }),
        results: z.array(resultSchema),
        score_meaning: z.string(),
        freshness: z.array(freshnessSchema),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const { folder, relPath } = resolveServedPath(ctx.served, args.path, args.folder);
      const engine = await ctx.engine();
      await ctx.keeper.settle(SETTLE_MS);
      const endLine = args.end_line ?? args.start_line;
      let found;
      try {
        found = await engine.similar(
          folder.root,
          { path: relPath, startLine: args.start_line, endLine },
          { indexDir: folder.indexDir, topK: args.top_k, include: args.include, exclude: args.exclude, types: args.types, groupByFile: args.group_by_file },
        );
      } catch (error) {
        if (error instanceof IndexNotReadyError) throw new Error(notReady(ctx, folder, error));
        if (error instanceof NotIndexedError || error instanceof RangeError) throw new ToolInputError(error.message);
        throw error;
      }
      const { source } = found;
      const sourceLine = `${source.path}:${source.startLine}-${source.endLine}${source.symbol ? ` · ${source.symbol}` : ''}`;
      const results = found.results.map((r) => ({ ...r, folder }));
      return answer(ctx, engine.tiers, [folder], results, args.max_snippet_lines, `${results.length} chunk(s) like ${sourceLine} (score: ${scoreMeaning('similar')}).`, [], {
        source: { folder: folder.name, path: source.path, start_line: source.startLine, end_line: source.endLine, chunks: source.chunks, ...(source.symbol ? { symbol: source.symbol } : {}) },
        score_meaning: scoreMeaning('similar'),
      });
    },
  );

  server.registerTool(
    'status',
    {
      title: 'Index status',
      description:
        'Per served folder: files and chunks indexed, model, last update, changes pending, a run going and its progress, the tiers (chunks with fast and deep vectors, and whether the deep tier is being computed), another writer, skipped files with reasons.',
      inputSchema: { folder: filters.folder },
      outputSchema: {
        folders: z.array(
          z.object({
            folder: z.string(),
            root: z.string(),
            index_dir: z.string(),
            files: z.number().int(),
            chunks: z.number().int(),
            model: z.string(),
            updated_at: z.string().optional(),
            must_rebuild: z.string().optional(),
            pending_files: z.number().int(),
            updating: z.boolean(),
            progress: z.object({ files_seen: z.number().int(), files_to_index: z.number().int(), files_indexed: z.number().int(), discovery_done: z.boolean() }).optional(),
            tiers: z.enum(['fast', 'fast-deep', 'deep']).describe('The tiers the index is built in: fast (words and static vectors), deep (the transformer), or the first then the second.'),
            fast_chunks: z.number().int().describe('Chunks whose vector is the fast tier\'s (static).'),
            deep_chunks: z.number().int().describe("Chunks whose vector is the deep tier's (the transformer)."),
            deep_tier: deepTierSchema,
            deep_progress: z.object({ files_to_index: z.number().int(), files_indexed: z.number().int(), discovery_done: z.boolean() }).optional().describe('While the deep tier runs: its files.'),
            tier_note: z.string().optional().describe('Why fewer tiers run than were asked for.'),
            writer: z.enum(['this server', 'another process']),
            writer_note: z.string().optional(),
            watching: z.boolean(),
            last_error: z.string().optional(),
            skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
            skipped_total: z.number().int(),
          }),
        ),
        team: teamSchema.optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (args) => {
      const folders = pickFolders(ctx.served, args.folder);
      const engine = await ctx.engine();
      const note = ctx.tierNote?.();
      const rows = await Promise.all(
        folders.map(async (folder) => {
          const status = await engine.status(folder.indexDir, { diskUsage: false });
          const state = ctx.keeper.stateOf(folder.root);
          return {
            folder: folder.name,
            root: folder.root,
            index_dir: folder.indexDir,
            files: status.files,
            chunks: status.chunks,
            model: status.modelId,
            ...(status.updatedAt ? { updated_at: status.updatedAt } : {}),
            ...(status.staleReason ? { must_rebuild: status.staleReason } : {}),
            pending_files: state.pendingFiles,
            updating: state.fullPass,
            // The deep tier's run is not an update of the files: its progress is said apart.
            ...(state.progress && !state.deepRunning
              ? { progress: { files_seen: state.progress.filesSeen, files_to_index: state.progress.filesToIndex, files_indexed: state.progress.filesIndexed, discovery_done: state.progress.discoveryDone } }
              : {}),
            tiers: status.tiers,
            fast_chunks: status.tierCounts.fast,
            deep_chunks: status.tierCounts.deep,
            deep_tier: deepTierOf(status.tiers, status.tierCounts, state) ?? 'incomplete',
            ...(state.progress && state.deepRunning
              ? { deep_progress: { files_to_index: state.progress.filesToIndex, files_indexed: state.progress.filesIndexed, discovery_done: state.progress.discoveryDone } }
              : {}),
            ...((note ?? status.tierNote) ? { tier_note: note ?? status.tierNote } : {}),
            writer: state.lockedBy ? ('another process' as const) : ('this server' as const),
            ...(state.lockedBy ? { writer_note: `${state.lockedBy} This server searches what it commits.` } : {}),
            watching: ctx.watches.watching(folder),
            ...(state.lastError ? { last_error: state.lastError } : ctx.watches.errorOf(folder) ? { last_error: `watcher: ${ctx.watches.errorOf(folder)}` } : {}),
            skipped: state.skipped.slice(0, MAX_SKIPPED_LISTED).map((s) => ({ path: s.path, reason: s.reason })),
            skipped_total: state.skipped.length,
          };
        }),
      );
      const text = rows
        .map((r) =>
          [
            `${r.folder} (${r.root}): ${r.files} files, ${r.chunks} chunks, model ${r.model}, ${r.updated_at ? `updated ${r.updated_at}` : 'never indexed'}.`,
            r.must_rebuild ? `  Must be rebuilt: ${r.must_rebuild}.` : '',
            `  Tiers ${r.tiers}: ${describeTierCounts({ fast: r.fast_chunks, deep: r.deep_chunks })}; ${DEEP_TIER_WORDS[r.deep_tier]}${r.deep_progress ? ` (${r.deep_progress.files_indexed} of ${r.deep_progress.files_to_index} files${r.deep_progress.discovery_done ? '' : ' so far'})` : ''}.`,
            r.tier_note ? `  Note: ${r.tier_note}.` : '',
            r.progress ? `  Updating: ${r.progress.files_indexed} of ${r.progress.files_to_index} changed files done, ${r.progress.files_seen} seen.` : r.updating ? '  A full update is waiting to run.' : '',
            r.pending_files > 0 ? `  ${r.pending_files} changed file(s) not indexed yet.` : '',
            r.writer_note ? `  ${r.writer_note}` : '',
            r.watching ? '' : '  Not watching for changes: call `sync` to update.',
            r.last_error ? `  Last error: ${r.last_error}` : '',
            r.skipped_total > 0 ? `  Skipped ${r.skipped_total}: ${r.skipped.map((s) => `${s.path} (${s.reason})`).join('; ')}${r.skipped_total > r.skipped.length ? '; …' : ''}` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        )
        .join('\n');
      if (!ctx.team) return { content: [{ type: 'text', text }], structuredContent: { folders: rows } };
      const session = await ctx.team();
      await session.status().catch(() => undefined);
      const team = teamOf(session.state);
      return { content: [{ type: 'text', text: `${teamLine(team)}\n${text}` }], structuredContent: { folders: rows, team } };
    },
  );

  server.registerTool(
    'sync',
    {
      title: 'Update the index now',
      description: 'Bring the index up to date now (all of each folder, or only the given paths), both tiers (words and static vectors first, then the transformer vectors), and return the run\'s summary. Sends progress notifications when the call has a progress token.',
      inputSchema: {
        folder: filters.folder,
        paths: z.array(z.string()).optional().describe('Only these files or folders (relative to a served folder); default: everything.'),
      },
      outputSchema: {
        folders: z.array(
          z.object({
            folder: z.string(),
            ok: z.boolean(),
            error: z.string().optional(),
            files_seen: z.number().int().optional(),
            files_indexed: z.number().int().optional(),
            files_unchanged: z.number().int().optional(),
            files_removed: z.number().int().optional(),
            files_skipped: z.number().int().optional(),
            chunks_embedded: z.number().int().optional(),
            chunks_total: z.number().int().optional(),
            fast_chunks: z.number().int().optional().describe('Chunks with fast (static) vectors only, after this update; the deep tier follows in the background.'),
            deep_chunks: z.number().int().optional(),
            seconds: z.number().optional(),
          }),
        ),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    async (args, extra) => {
      const byFolder = new Map<ServedFolder, string[]>();
      if (args.paths && args.paths.length > 0) {
        for (const path of args.paths) {
          const { folder, relPath } = resolveServedPath(ctx.served, path, args.folder);
          byFolder.set(folder, [...(byFolder.get(folder) ?? []), relPath]);
        }
      } else for (const folder of pickFolders(ctx.served, args.folder)) byFolder.set(folder, []);
      const engine = await ctx.engine();
      const token = extra._meta?.progressToken;
      let step = 0;
      const onEvent = (folder: ServedFolder, event: IndexEvent) => {
        if (token === undefined || event.type !== 'progress') return;
        const p = event.progress;
        void extra
          .sendNotification({
            method: 'notifications/progress',
            params: {
              progressToken: token,
              progress: ++step,
              message: `${folder.name} (${p.tier} tier): ${p.filesIndexed} of ${p.filesToIndex} files indexed, ${p.filesSeen} seen${p.discoveryDone ? '' : ' so far'}`,
            },
          })
          .catch(() => undefined);
      };
      const folders = [...byFolder.keys()];
      const outcomes = await ctx.keeper.sync(
        [...byFolder].map(([folder, paths]) => ({ key: folder.root, paths: paths.length > 0 ? paths : undefined })),
        (key, event) => onEvent(folders.find((f) => f.root === key)!, event),
        // Up to date means every tier: the transformer's vectors too (searches meanwhile use what exists).
        { deep: true },
      );
      // In the order asked: the keeper answers each request in turn.
      const rows = outcomes.map(({ summary, error }, i) =>
        summary
          ? {
              folder: folders[i].name,
              ok: true,
              files_seen: summary.filesSeen,
              files_indexed: summary.filesIndexed,
              files_unchanged: summary.filesUnchanged,
              files_removed: summary.filesRemoved,
              files_skipped: summary.skipped.length,
              chunks_embedded: summary.chunksEmbedded,
              chunks_total: summary.chunksTotal,
              fast_chunks: summary.tierCounts.fast,
              deep_chunks: summary.tierCounts.deep,
              seconds: Math.round(summary.seconds * 100) / 100,
            }
          : { folder: folders[i].name, ok: false, error },
      );
      const text = rows
        .map((r) =>
          r.ok
            ? `${r.folder}: up to date. ${r.files_indexed} file(s) indexed, ${r.files_unchanged} unchanged, ${r.files_removed} removed, ${r.files_skipped} skipped; ${r.chunks_embedded} chunk(s) embedded; ${r.chunks_total} in the index (${r.seconds} s).` +
              (engine.tiers === 'fast-deep' && (r.fast_chunks ?? 0) > 0 ? ` ${r.fast_chunks} chunk(s) have fast vectors; the deep tier follows in the background (\`status\` tells how far).` : '')
            : `${r.folder}: not updated: ${r.error}`,
        )
        .join('\n');
      return { content: [{ type: 'text', text }], structuredContent: { folders: rows }, ...(rows.every((r) => !r.ok) ? { isError: true } : {}) };
    },
  );
}

function answer(
  ctx: ToolContext,
  plan: TierPlan,
  folders: ServedFolder[],
  results: FolderResult[],
  maxLines: number,
  heading: string,
  unavailable: string[],
  extra: Record<string, unknown>,
): CallToolResult {
  const labeled = ctx.served.length > 1 ? results.map((r) => ({ ...r, folderLabel: r.folder.name })) : results;
  const freshness = folders.map((folder) => {
    const state = ctx.keeper.stateOf(folder.root);
    const note = freshnessNote(folder, state);
    const tiers = tierNote(folder, state, plan, state.tierCounts);
    const deep = deepTierOf(plan, state.tierCounts, state);
    return {
      folder: folder.name,
      pending_files: state.pendingFiles,
      updating: state.fullPass,
      another_writer: state.lockedBy !== undefined,
      ...(state.checkedAt ? { checked_at: state.checkedAt } : {}),
      ...(note ? { note } : {}),
      tiers: plan,
      ...(state.tierCounts ? { fast_chunks: state.tierCounts.fast, deep_chunks: state.tierCounts.deep } : {}),
      ...(deep ? { deep_tier: deep } : {}),
      ...(tiers ? { tier_note: tiers } : {}),
    };
  });
  const notes = [...unavailable, ...freshness.flatMap((f) => [f.note, f.tier_note].filter((n): n is string => n !== undefined))];
  const text = formatResults(heading, labeled, maxLines) + (notes.length > 0 ? `\nNote: ${notes.join('\n')}` : '');
  return {
    content: [{ type: 'text', text }],
    structuredContent: { ...extra, results: results.map((r) => structured(r, maxLines)), freshness },
  };
}

function structured(result: FolderResult, maxLines: number) {
  const r: SearchResult = result;
  return {
    folder: result.folder.name,
    path: r.path,
    start_line: r.startLine,
    end_line: r.endLine,
    ...(r.page ? { page: r.page } : {}),
    ...(r.symbol ? { symbol: r.symbol } : {}),
    language: r.language,
    score: r.score,
    snippet: r.snippet.split('\n').slice(0, maxLines).join('\n'),
    snippet_start_line: r.snippetStartLine,
  };
}

/** Why a folder cannot be searched yet, and what will fix it. */
function notReady(ctx: ToolContext, folder: ServedFolder, error: Error): string {
  const state = ctx.keeper.stateOf(folder.root);
  if (state.progress) {
    const p = state.progress;
    return `${folder.name} is being indexed (${p.filesIndexed} of ${p.filesToIndex} files so far, ${p.filesSeen} seen); search again shortly, or call \`sync\` to wait for it with progress.`;
  }
  if (state.lockedBy) return `${folder.name}: ${state.lockedBy} Nothing is committed yet; search again once it has.`;
  if (state.fullPass) return `${folder.name} is not indexed yet; an update is about to start. Call \`sync\` to wait for it.`;
  return `${folder.name}: ${error.message.replace(/Run `quipu index.*$/, '')} Call \`sync\` to index it.`;
}
