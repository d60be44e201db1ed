/**
 * What the default excludes left out of a run, so it is said, not silent: on yargs every line of
 * code sat in `build/` and every answer was a translation file.
 *
 * Only the build-output folders are named (`build/`, `dist/`, `out/`, `target/`): some projects keep
 * their own code there. The other defaults (VCS metadata, dependencies, caches, lock files) never
 * are, and naming them on every run would tell the user nothing to act on.
 *
 * Their files are counted by a walk of the excluded folders (links not followed), bounded by one
 * budget of entries per run: past it the count says "at least".
 */
import { FolderPaths, type FileHost } from './host';

export const REPORTED_EXCLUDES: readonly string[] = ['build/', 'dist/', 'out/', 'target/'];

/** Folder entries counted at most per run: a large `target/` costs a bounded walk, and reads "2,000+ files". */
export const EXCLUDED_COUNT_BUDGET = 2000;

export interface DefaultExclusion {
  /** The default exclude, e.g. `build/`. */
  pattern: string;
  /** Folders it kept out (one at each depth where the name occurs). */
  folders: number;
  /** Files in those folders, at any depth. */
  files: number;
  /** Set when the budget ran out first: there are more files than `files`. */
  filesAtLeast?: true;
}

/** Collects the folders the default excludes alone kept out of a walk, then counts their files. */
export class DefaultExclusions {
  private readonly byPattern = new Map<string, string[]>();

  /** A folder (relative) that the default excludes, and nothing the user wrote, kept out. */
  note(relDir: string): void {
    const pattern = `${relDir.slice(relDir.lastIndexOf('/') + 1).toLowerCase()}/`;
    if (!REPORTED_EXCLUDES.includes(pattern)) return;
    const folders = this.byPattern.get(pattern) ?? [];
    folders.push(relDir);
    this.byPattern.set(pattern, folders);
  }

  async count(root: string, host: FileHost, options: { signal?: AbortSignal; budget?: number } = {}): Promise<DefaultExclusion[]> {
    const paths = FolderPaths.of(root, host);
    let budget = options.budget ?? EXCLUDED_COUNT_BUDGET;
    const result: DefaultExclusion[] = [];
    for (const pattern of REPORTED_EXCLUDES) {
      const folders = this.byPattern.get(pattern);
      if (!folders) continue;
      const exclusion: DefaultExclusion = { pattern, folders: folders.length, files: 0 };
      const pending = [...folders];
      while (pending.length > 0) {
        options.signal?.throwIfAborted();
        if (budget <= 0) {
          exclusion.filesAtLeast = true;
          break;
        }
        const dir = pending.pop()!;
        // An unreadable folder counts as empty: the count is what could be seen.
        const entries = await Promise.resolve()
          .then(() => host.readDir(paths.abs(dir)))
          .catch(() => []);
        for (const entry of entries) {
          if (budget <= 0) {
            exclusion.filesAtLeast = true;
            break;
          }
          budget--;
          if (entry.isFile) exclusion.files++;
          else if (entry.isDirectory) pending.push(`${dir}/${entry.name}`);
        }
      }
      result.push(exclusion);
    }
    return result;
  }
}
