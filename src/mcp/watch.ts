/**
 * Watches the served folders for `quipu mcp` with @parcel/watcher (what VS Code uses): native, one
 * inotify/FSEvents/ReadDirectoryChangesW subscription per folder, coalesced events. Chosen over
 * chokidar by measurement on a 20k-file tree (bench/RESULTS.md, "Watching folders"): 54 vs 227 MB of
 * RSS and 0.5 vs 5.7 s to start, both idle. The watcher only reports paths; the indexer decides
 * what they mean (ignore rules, deletions).
 */
import { relative, sep } from 'node:path';
import { insideFolder } from '../core/files/real-paths';
import type { ServedFolder } from './folders';

export interface FolderWatch {
  close(): Promise<void>;
}

/** Folders whose churn never matters to the index (the indexer ignores them too). */
const IGNORED = ['.git', 'node_modules', '.hg', '.svn'];

export async function watchFolder(root: string, onPaths: (relPaths: string[]) => void, onError: (error: Error) => void, ignoreDirs: string[] = []): Promise<FolderWatch> {
  const watcher = await import('@parcel/watcher');
  const subscription = await watcher.subscribe(
    root,
    (error, events) => {
      if (error) {
        onError(error);
        return;
      }
      const paths = events.map((event) => relative(root, event.path).split(sep).join('/')).filter((path) => path && !path.startsWith('../'));
      if (paths.length > 0) onPaths(paths);
    },
    { ignore: [...IGNORED, ...ignoreDirs] },
  );
  return { close: () => subscription.unsubscribe() };
}

/** A watcher per served folder, and what `status` says about it. */
export class ServedWatches {
  private readonly watches = new Map<string, FolderWatch>();
  private readonly errors = new Map<string, string>();
  private closed = false;

  constructor(
    private readonly served: ServedFolder[],
    private readonly log: (message: string) => void,
  ) {}

  /** Starts watching every folder; a folder that cannot be watched is updated by `sync` only. */
  async start(onPaths: (folder: ServedFolder, relPaths: string[]) => void): Promise<void> {
    await Promise.all(
      this.served.map(async (folder) => {
        try {
          const watch = await watchFolder(
            folder.root,
            (paths) => onPaths(folder, paths),
            (error) => {
              this.errors.set(folder.root, error.message);
              this.log(`watching ${folder.root}: ${error.message}`);
            },
            indexInside(folder),
          );
          if (this.closed) await watch.close();
          else this.watches.set(folder.root, watch);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          this.errors.set(folder.root, message);
          this.log(`cannot watch ${folder.root}: ${message}; the index is updated by \`sync\` only.`);
        }
      }),
    );
  }

  watching(folder: ServedFolder): boolean {
    return this.watches.has(folder.root);
  }

  /** The watcher's last error, if any. */
  errorOf(folder: ServedFolder): string | undefined {
    return this.errors.get(folder.root);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.watches.values()].map((watch) => watch.close()));
  }
}

/** The index folder, when it lives inside the served folder (links resolved): its own writes must not look like changes. */
function indexInside(folder: ServedFolder): string[] {
  const inside = insideFolder(folder.root, folder.indexDir);
  const rel = inside === undefined ? '' : relative(folder.root, inside);
  return rel ? [rel.split(sep).join('/')] : [];
}
