/**
 * The folders one `quipu mcp` serves, and the only paths its tools accept: a tool argument naming a
 * folder or a file is resolved here, and anything outside the served folders (`..`, an absolute
 * path elsewhere, a symbolic link leading out) is refused before any file is read.
 */
import { realpathSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { QuipuEngine } from '../core/engine/engine';

export interface ServedFolder {
  /** Absolute, symbolic links resolved. */
  root: string;
  /** How tools and results name it: the folder's base name (made unique). */
  name: string;
  indexDir: string;
}

/** A tool argument that a tool must refuse; the message says why and what would be accepted. */
export class ToolInputError extends Error {
  override name = 'ToolInputError';
}

export function servedFolders(folders: string[]): ServedFolder[] {
  const served: ServedFolder[] = [];
  for (const folder of folders) {
    const root = realpathSync(resolve(folder));
    if (served.some((f) => f.root === root)) continue;
    let name = basename(root) || root;
    for (let n = 2; served.some((f) => f.name === name); n++) name = `${basename(root)}-${n}`;
    served.push({ root, name, indexDir: QuipuEngine.defaultIndexDir(root) });
  }
  return served;
}

/** The folders a tool call means: the one named (by name or path), or all of them. */
export function pickFolders(served: ServedFolder[], folder: string | undefined): ServedFolder[] {
  if (folder === undefined || folder === '') return served;
  const byName = served.find((f) => f.name === folder);
  if (byName) return [byName];
  const abs = resolveReal(resolve(served[0].root, folder));
  const byPath = served.find((f) => f.root === abs);
  if (byPath) return [byPath];
  throw new ToolInputError(`"${folder}" is not a folder this server serves. Served: ${served.map((f) => `${f.name} (${f.root})`).join(', ')}.`);
}

/**
 * A file argument as (folder, path relative to it with forward slashes). A relative path is read
 * against the named folder, or against each served folder until one holds it.
 */
export function resolveServedPath(served: ServedFolder[], path: string, folder?: string): { folder: ServedFolder; relPath: string } {
  if (!path.trim()) throw new ToolInputError('The path is empty.');
  const candidates = pickFolders(served, folder);
  for (const f of candidates) {
    const abs = resolveReal(isAbsolute(path) ? path : resolve(f.root, path));
    const rel = relative(f.root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) continue;
    return { folder: f, relPath: rel.split(sep).join('/') };
  }
  throw new ToolInputError(`${path} is outside the folders this server serves (${candidates.map((f) => f.root).join(', ')}); it is refused.`);
}

/** The real path when it exists (a symbolic link must not lead out), else the path as given. */
function resolveReal(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}
