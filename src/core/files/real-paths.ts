/**
 * Whether a path lies inside a folder, decided after resolving symbolic links in both: `/tmp/x` and
 * `/private/tmp/x` are one folder on macOS, and a link can make two spellings of any path. A
 * comparison of the text alone gets such a decision wrong, and the ones made here guard something:
 * whether an index folder's files belong to the tree it indexes (never indexed, never trusted).
 * Node's file system only; a few calls per run, never per file.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FolderPaths } from './host';

/** The real path of `abs`; for a path not created yet, its nearest existing folder's, with the rest appended. */
export function realPathOf(abs: string): string {
  const missing: string[] = [];
  for (let path = resolve(abs); ; ) {
    try {
      return join(realpathSync.native(path), ...missing.reverse());
    } catch {
      const parent = dirname(path);
      if (parent === path) return resolve(abs);
      missing.push(basename(path));
      path = parent;
    }
  }
}

/**
 * `path`, spelled under `folder` as the caller named it, when it is the folder or lies inside it
 * once links are resolved; undefined when it lies outside.
 */
export function insideFolder(folder: string, path: string): string | undefined {
  const rel = new FolderPaths(realPathOf(folder)).rel(realPathOf(path));
  return rel === undefined ? undefined : new FolderPaths(folder).abs(rel);
}
