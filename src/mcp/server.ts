/**
 * `quipu mcp [folder...]`: Quipu as a Model Context Protocol server on stdio, for coding agents.
 * stdout carries the protocol and nothing else; logs go to stderr. `initialize` and `tools/list`
 * answer at once: the engine, the model and the first update start in the background after the
 * connection is up. The server ends when stdin closes (the client went away), stopping its watchers,
 * its update run and every worker thread.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { makeConfig, type TierPlan } from '../core/config/config';
import { QuipuEngine } from '../core/engine/engine';
import { defaultOverlayDir, TeamIndex, type TeamTarget } from '../core/team/team';
import { TeamSession } from '../core/team/team-session';
import { version } from '../../package.json';
import { servedFolders } from './folders';
import { servedKeeper } from './keeper';
import { servedEmbedder } from './served-embedder';
import { registerTools } from './tools';
import { ServedWatches } from './watch';

export interface McpServerOptions {
  /** Watch the folders and update their indexes in the background (default); else only `sync` updates. */
  watch: boolean;
  model?: string;
  /** `--tiers`: unset, the engine's default (fast-deep with the bundled model); a remote-built index is deep alone. */
  tiers?: TierPlan;
  /** `--static-model`: the fast tier's table (absolute path). */
  staticModel?: string;
  /** Serve one folder through a team index (its base on the server plus the folder's overlay). */
  team?: TeamTarget;
}

/** How long stopping the update run, the watchers and the workers may take once stdin closed. */
const SHUTDOWN_GRACE_MS = 10_000;

const INSTRUCTIONS =
  'Quipu searches the served folders locally by meaning and by words (code, Markdown, text, PDF, DOCX). ' +
  'Use `search` with a plain-words description of what you are looking for (or an identifier) before reading files one by one; ' +
  '`similar` finds code like some lines of a file (duplicates, other implementations); `status` tells how fresh each index is; ' +
  '`sync` updates the index now. Paths in results are relative to the folder named in each result.';

export async function runMcpServer(folders: string[], options: McpServerOptions): Promise<void> {
  const log = (message: string) => process.stderr.write(`quipu mcp: ${message}\n`);
  const served = servedFolders(folders);
  const team = options.team;
  if (team && served.length !== 1) throw new Error('a team index serves one folder: name one folder with --store');
  // The overlay is the folder's index here: `status` reads it, the keeper updates it.
  if (team) served[0].indexDir = defaultOverlayDir(served[0].root, team);
  let engine: Promise<QuipuEngine> | undefined;
  /** Why the engine runs fewer tiers than asked for (`status` says it). */
  let tierNote: string | undefined;
  // The embedder the indexes were built with (a remote one too), or a refusal naming the index: never a silent rebuild.
  const getEngine = () =>
    (engine ??= servedEmbedder(served).then(async (embedder) => {
      // A remote embedder is the deep tier alone: another plan asked for is said once, not an error.
      const tiers = embedder && options.tiers !== undefined && options.tiers !== 'deep' ? 'deep' : options.tiers;
      if (tiers !== options.tiers) {
        tierNote = `--tiers ${options.tiers} was asked for, but the indexes were built by a remote embedder (${embedder?.url}), which computes the deep tier alone: serving the deep tier only`;
      }
      const created = await QuipuEngine.create(
        makeConfig({ model: options.model, embedder, ...(tiers ? { tiers } : {}), ...(options.staticModel ? { staticModel: options.staticModel } : {}) }),
      );
      tierNote ??= created.tierNote;
      if (tierNote) log(tierNote);
      return created;
    }));
  let session: Promise<TeamSession> | undefined;
  const getTeam = team
    ? () =>
        (session ??= getEngine().then(
          (ready) =>
            new TeamSession(TeamIndex.for(ready, served[0].root, team, { overlayDir: served[0].indexDir }), (state, previous) => {
              if (state.available === false && previous.available !== false) log(`${state.notice ?? `${state.description} does not answer`}`);
              if (state.available === true && previous.available === false) log(`${state.description} answers again`);
              if (state.error && state.error !== previous.error) log(state.error);
            }),
        ))
    : undefined;
  // With a team index, only what the base lacks is indexed here (a full pass whatever the paths).
  const keeper = servedKeeper(served, getEngine, log, getTeam);
  const watches = new ServedWatches(served, log);
  const server = new McpServer({ name: 'quipu', title: 'Quipu', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
  registerTools(server, { served, engine: getEngine, keeper, watches, tierNote: () => tierNote, ...(getTeam ? { team: getTeam } : {}) });
  if (team) log(`searches use the team index ${team.collection} at ${team.url}`);

  const transport = new StdioServerTransport();
  const stdinClosed = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(transport);
  log(`serving ${served.map((f) => f.root).join(', ')}`);

  // After the handshake can be answered: the engine, the query model, the first update, the watchers.
  setImmediate(() => {
    void (async () => {
      try {
        const ready = await getEngine();
        void ready.embed(['warm up']).catch(() => undefined);
        // A full (incremental) pass over every folder now, and the watchers' paths from then on.
        for (const folder of served) keeper.requestFull(folder.root);
        if (options.watch) await watches.start((folder, paths) => keeper.changed(folder.root, paths));
      } catch (error) {
        log(error instanceof Error ? error.message : String(error));
      }
    })();
  });

  await stdinClosed;
  // The client is gone: a run slow to stop (a long worker task, a remote call) must not keep
  // the server alive. Unref'd: an orderly shutdown exits before it.
  setTimeout(() => {
    log(`shutdown took more than ${SHUTDOWN_GRACE_MS / 1000} s; exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_GRACE_MS).unref();
  await watches.close();
  await keeper.close();
  await server.close().catch(() => undefined);
  await (await session?.catch(() => undefined))?.close();
  const started = await engine?.catch(() => undefined);
  await started?.close();
  // Anything still holding the event loop now is a bug; do not let it keep a dead server alive.
  setTimeout(() => {
    log('something still held the process after shutdown; exiting anyway');
    process.exit(1);
  }, 2000).unref();
}
