/**
 * The engine's only view of the file system, and the one place where paths change form.
 *
 * Inside the engine every path is relative to the indexed folder, with forward slashes: the catalog,
 * ignore rules, globs, search results. `FolderPaths` turns those into the host's absolute paths and
 * back, by the host's path rules (`path.win32` on Windows: drive letters, backslashes, UNC shares,
 * names compared without regard to case, as NTFS does). The CLI and the tests use the Node host;
 * the extension can pass one that respects the editor's view of the workspace.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeName, fsPath } from './names';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
  /** A regular file: not a folder, a symbolic link, a FIFO or a device. */
  isFile: boolean;
  isSymbolicLink: boolean;
  /** Device and inode, where the host has them: a read checks that it opened the file discovery saw. */
  dev?: number;
  ino?: number;
}

/** What discovery saw of a file, for its read: the size (one read call), and which file it was. */
export type ExpectedFile = Pick<FileStat, 'size' | 'dev' | 'ino'>;

/**
 * The file system as the engine sees it. One rule for symbolic links, whoever asks: none is
 * followed. `readDir` reports a link as neither file nor folder, `lstat` reports it as a link, and
 * `readFile` refuses one (and, given what discovery saw, a file other than that one).
 */
export interface FileHost {
  /** The path rules of the absolute paths this host takes: node:path's own unless said (tests pass `path.win32`). */
  readonly path?: nodePath.PlatformPath;
  readDir(absPath: string): Promise<DirEntry[]>;
  /** What is at a path, without following a symbolic link there. */
  lstat(absPath: string): Promise<FileStat>;
  /**
   * The bytes of a file, never through a symbolic link at its last step. `expected` (from a recent
   * `lstat`) lets a host read it in one call, and makes the read fail (`SymbolicLinkError`) when the
   * path now leads to another file (a folder above it replaced by a link).
   */
  readFile(absPath: string, expected?: ExpectedFile): Promise<Uint8Array>;
}

/** A read refused because it would go through a symbolic link, or reach another file than the one discovered. */
export class SymbolicLinkError extends Error {
  override name = 'SymbolicLinkError';
  readonly code = 'ELOOP';
}

export const nodeFileHost: FileHost = {
  path: nodePath,
  // Names as bytes, decoded losslessly (names.ts): a name that is not valid UTF-8 stays openable.
  async readDir(absPath) {
    const entries = await readdir(fsPath(absPath), { withFileTypes: true, encoding: 'buffer' });
    return entries.map((e) => ({ name: decodeName(e.name), isDirectory: e.isDirectory(), isFile: e.isFile() }));
  },
  // Synchronous: see SYNC_READ_BYTES (a stat is the one call every discovered file costs; lstat costs the same).
  lstat(absPath) {
    try {
      return Promise.resolve(fileStatOf(lstatSync(fsPath(absPath))));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
  readFile: (absPath, expected) => (expected === undefined ? readNoFollow(absPath) : readKnownSize(absPath, expected)),
};

function fileStatOf(s: Stats): FileStat {
  return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory(), isFile: s.isFile(), isSymbolicLink: s.isSymbolicLink(), dev: s.dev, ino: s.ino };
}

/**
 * Opening never follows a link at the last step: O_NOFOLLOW (ELOOP) where the platform has it, an
 * lstat first where it does not (Windows). For the folders above, and for a link that appears between
 * that lstat and the open, the identity check (`checkSame`) holds the rule when discovery's stat is known.
 */
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;

function openNoFollow<T>(absPath: string, openIt: (flags: number) => T): T {
  if (NO_FOLLOW === 0 && lstatSync(fsPath(absPath)).isSymbolicLink()) throw linkError(absPath);
  try {
    return openIt(constants.O_RDONLY | NO_FOLLOW);
  } catch (error) {
    throw linkErrorOf(error, absPath);
  }
}

function linkErrorOf(error: unknown, absPath: string): Error {
  return (error as NodeJS.ErrnoException).code === 'ELOOP' ? linkError(absPath) : (error as Error);
}

function linkError(absPath: string): SymbolicLinkError {
  return new SymbolicLinkError(`${absPath} is a symbolic link: not followed`);
}

/** The file opened is the one discovery saw (same device and inode), not one a link now leads to. */
function checkSame(opened: Stats, expected: ExpectedFile | undefined, absPath: string): void {
  if (expected?.ino !== undefined && (opened.ino !== expected.ino || opened.dev !== expected.dev)) {
    throw new SymbolicLinkError(`${absPath} is no longer the file that was found there (replaced, or reached through a symbolic link): not read`);
  }
}

async function readNoFollow(absPath: string, expected?: ExpectedFile): Promise<Uint8Array> {
  const handle = await openNoFollow(absPath, (flags) => open(fsPath(absPath), flags).catch((error: unknown) => Promise.reject(linkErrorOf(error, absPath))));
  try {
    if (expected?.ino !== undefined) checkSame(await handle.stat(), expected, absPath);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Files up to this size are read (and every file stat'ed) with synchronous calls. A trip to the
 * thread pool costs this thread 50–250 µs of CPU per file (promise, request, callback), a
 * synchronous stat or read of a small file 7–20 µs (bench/SCALING.md, per-file cost): for a folder
 * of many small files that is most of the bookkeeping. A call blocks for one small file at most.
 */
export const SYNC_READ_BYTES = 256 * 1024;

async function readKnownSize(absPath: string, expected: ExpectedFile): Promise<Uint8Array> {
  return (expected.size <= SYNC_READ_BYTES ? readSmallFileSync(absPath, expected) : undefined) ?? readNoFollow(absPath, expected);
}

/**
 * One small regular file, or undefined for anything else (read asynchronously instead): opened
 * without blocking, so a FIFO or device named like a source file never holds the thread, and read
 * whole only when it has not grown past its stat.
 */
function readSmallFileSync(absPath: string, expected: ExpectedFile): Uint8Array | undefined {
  const fd = openNoFollow(absPath, (flags) => openSync(fsPath(absPath), flags | (constants.O_NONBLOCK ?? 0)));
  try {
    const stat = fstatSync(fd);
    checkSame(stat, expected, absPath);
    if (!stat.isFile()) return undefined;
    const expectedSize = expected.size;
    const buffer = Buffer.allocUnsafeSlow(expectedSize + 1);
    const bytesRead = readSync(fd, buffer, 0, expectedSize + 1, 0);
    return bytesRead > expectedSize ? undefined : buffer.subarray(0, bytesRead);
  } finally {
    closeSync(fd);
  }
}

export class PathOutsideFolderError extends Error {
  override name = 'PathOutsideFolderError';
}

/** One folder's paths: folder-relative (forward slashes) ⇄ the host's absolute form. */
export class FolderPaths {
  /** The folder, absolute, in the host's form. */
  readonly root: string;

  constructor(
    root: string,
    readonly path: nodePath.PlatformPath = nodePath,
  ) {
    this.root = path.resolve(root);
  }

  /** Windows compares names without regard to case (NTFS, and the drive letter). */
  get caseInsensitive(): boolean {
    return this.path.sep === '\\';
  }

  /** A folder-relative path as compared on this host: lower case where names ignore case. */
  key(rel: string): string {
    return this.caseInsensitive ? rel.toLowerCase() : rel;
  }

  /**
   * The folder as one string, the same however it was typed (`C:\Proj`, `c:/proj/`): what names its
   * index, so that one folder has one index and one lock, whatever case a Windows user types.
   */
  get identity(): string {
    return this.caseInsensitive ? this.root.toLowerCase() : this.root;
  }

  static of(root: string, host: FileHost): FolderPaths {
    return new FolderPaths(root, host.path ?? nodePath);
  }

  /**
   * `src/app.ts` → `C:\proj\src\app.ts`. A path that would leave the folder (`..`, absolute, a drive)
   * is refused: nothing a caller passes may make the engine read outside the folder.
   */
  abs(rel: string): string {
    if (rel === '' || rel === '.') return this.root;
    const parts = rel.split('/');
    if (this.path.isAbsolute(rel) || parts.some((part) => part === '..' || part.includes(this.path.sep) || /^[a-zA-Z]:/.test(part))) {
      throw new PathOutsideFolderError(`"${rel}" is not a path inside ${this.root}.`);
    }
    return this.path.join(this.root, ...parts);
  }

  /** `C:\proj\src\app.ts` → `src/app.ts`; `''` for the folder itself; undefined outside it. */
  rel(abs: string): string | undefined {
    // path.win32.relative compares drive letters and names case-insensitively, UNC shares included.
    const relative = this.path.relative(this.root, this.path.resolve(this.root, abs));
    if (relative === '') return '';
    if (relative === '..' || relative.startsWith(`..${this.path.sep}`) || this.path.isAbsolute(relative)) return undefined;
    return relative.split(this.path.sep).join('/');
  }

  /** Whether an absolute path is the folder or inside it. */
  contains(abs: string): boolean {
    return this.rel(abs) !== undefined;
  }

  /** The `file:` URI of a folder-relative path (`file:///C:/proj/src/app.ts`, `file://server/share/…`). */
  uri(rel: string): string {
    return pathToFileURL(this.abs(rel), { windows: this.caseInsensitive }).href;
  }
}

/** `a/b` + `c` → `a/b/c`, for folder-relative paths ('' is the folder). */
export function joinRel(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

/**
 * The writes an index makes, in its own (always local) folder: what an atomic replace needs. Apart
 * from FileHost so that tests can make a rename fail as Windows makes it fail (EPERM, EBUSY, EACCES
 * while another process, a virus scanner or the indexer, holds the target open).
 */
export interface WriteHost {
  mkdir(absDir: string): Promise<void>;
  /** Writes a new file and flushes it to the disk. */
  writeSynced(absPath: string, content: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  remove(absPath: string): Promise<void>;
}

export const nodeWriteHost: WriteHost = {
  async mkdir(absDir) {
    await mkdir(absDir, { recursive: true });
  },
  async writeSynced(absPath, content) {
    const handle = await open(absPath, 'w');
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (absPath) => rm(absPath, { force: true }),
};
