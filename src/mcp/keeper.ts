/**
 * The folder keeper of `quipu mcp` (core/keeper/folder-keeper.ts, the one the extension uses too):
 * a full incremental pass at start, then the watcher's paths, a reconciling pass for what it missed,
 * the deep tier behind them in the background, and an index another process writes left to that writer. This file only names the served folders
 * to the keeper and says on stderr what it did.
 */
import type { QuipuEngine } from '../core/engine/engine';
import type { KeeperClock } from '../core/keeper/clock';
import { FolderKeeper } from '../core/keeper/folder-keeper';
import type { TeamSession } from '../core/team/team-session';
import type { ServedFolder } from './folders';

/** Quiet time after the watcher's last event: an agent's edit is searched soon after it is saved. */
const DEBOUNCE_MS = 300;

export function servedKeeper(
  served: ServedFolder[],
  engine: () => Promise<QuipuEngine>,
  log: (message: string) => void,
  /** Set when the one served folder is the overlay of a team index. */
  team?: () => Promise<TeamSession>,
  clock?: KeeperClock,
): FolderKeeper {
  return new FolderKeeper(
    {
      engine,
      ...(team ? { team: () => team() } : {}),
      debounceMs: DEBOUNCE_MS,
      ...(clock ? { clock } : {}),
      listener: {
        runEnded: ({ folder, work }, outcome) => {
          if (outcome.kind !== 'done') return;
          const summary = outcome.summary;
          if (work.kind === 'deep') {
            const { fast, deep } = summary.tierCounts;
            log(`${folder.name}: deep tier ${summary.cancelled ? 'paused for other work' : 'done'}: ${summary.chunksEmbedded} chunk(s) embedded by the transformer in ${summary.seconds.toFixed(1)} s; ${deep} deep, ${fast} fast`);
          } else if (summary.filesIndexed + summary.filesRemoved > 0) {
            log(`${folder.name}: ${summary.filesIndexed} file(s) indexed, ${summary.filesRemoved} removed, ${summary.chunksEmbedded} chunk(s) embedded in ${summary.seconds.toFixed(1)} s`);
          }
        },
        locked: (folder, message) => log(`${folder.name}: ${message} Searching what it commits.`),
        failed: (folder, error) => log(`update of ${folder.root} failed: ${error instanceof Error ? error.message : String(error)}`),
      },
    },
    served.map((folder) => ({ key: folder.root, root: folder.root, name: folder.name, indexDir: folder.indexDir })),
  );
}
