/**
 * The engine's only view of the file system. The CLI and the tests use the Node implementation;
 * the extension can pass one that respects the editor's view of the workspace.
 */
import { readdir, readFile, stat } from 'node:fs/promises';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

export interface FileHost {
  readDir(absPath: string): Promise<DirEntry[]>;
  stat(absPath: string): Promise<FileStat>;
  readFile(absPath: string): Promise<Uint8Array>;
}

export const nodeFileHost: FileHost = {
  async readDir(absPath) {
    const entries = await readdir(absPath, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory(), isFile: e.isFile() }));
  },
  async stat(absPath) {
    const s = await stat(absPath);
    return { size: s.size, mtimeMs: s.mtimeMs, isDirectory: s.isDirectory() };
  },
  readFile: (absPath) => readFile(absPath),
};
