/**
 * A file host that behaves as Windows does, on any OS: absolute paths in `path.win32` form (drive
 * letters or UNC shares, backslashes), names found whatever their case (NTFS), kept as written.
 * The files live in memory; the unit tests drive the engine's path handling through it.
 */
import { win32 } from 'node:path';
import type { DirEntry, FileHost, FileStat } from '../src/core/files/host';

interface Node {
  name: string;
  children?: Map<string, Node>;
  content?: Uint8Array;
}

export class Win32MemoryHost implements FileHost {
  readonly path = win32;
  private readonly top = new Map<string, Node>();

  /** Adds a file at an absolute Windows path, creating its folders. */
  add(absPath: string, content: string | Uint8Array): this {
    const { root, parts } = this.split(absPath);
    let dir: Node = this.top.get(root.toLowerCase()) ?? { name: root, children: new Map() };
    this.top.set(root.toLowerCase(), dir);
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const next: Node = dir.children!.get(part.toLowerCase()) ?? (last ? { name: part } : { name: part, children: new Map() });
      dir.children!.set(part.toLowerCase(), next);
      if (last) next.content = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      dir = next;
    }
    return this;
  }

  readDir(absPath: string): Promise<DirEntry[]> {
    return this.answer(() => {
      const node = this.find(absPath);
      if (!node.children) throw errno('ENOTDIR', absPath);
      return [...node.children.values()].map((child) => ({ name: child.name, isDirectory: !!child.children, isFile: !child.children }));
    });
  }

  lstat(absPath: string): Promise<FileStat> {
    return this.answer(() => {
      const node = this.find(absPath);
      return { size: node.content?.length ?? 0, mtimeMs: 1_700_000_000_000, isDirectory: !!node.children, isFile: !node.children, isSymbolicLink: false };
    });
  }

  readFile(absPath: string): Promise<Uint8Array> {
    return this.answer(() => {
      const node = this.find(absPath);
      if (node.children) throw errno('EISDIR', absPath);
      // A fresh copy, as a real read gives: the engine transfers the buffer to a worker.
      return node.content!.slice();
    });
  }

  /** As a real file system answers: later, and failures as rejections. */
  private answer<T>(work: () => T): Promise<T> {
    return new Promise((resolve, reject) => setImmediate(() => {
      try {
        resolve(work());
      } catch (error) {
        reject(error as Error);
      }
    }));
  }

  private split(absPath: string): { root: string; parts: string[] } {
    if (!win32.isAbsolute(absPath) || !/^([a-zA-Z]:\\|\\\\[^\\]+\\[^\\]+)/.test(absPath)) throw new Error(`not an absolute Windows path: ${absPath}`);
    const normal = win32.normalize(absPath);
    const root = win32.parse(normal).root.replace(/\\$/, '');
    return { root, parts: normal.slice(root.length).split('\\').filter(Boolean) };
  }

  private find(absPath: string): Node {
    const { root, parts } = this.split(absPath);
    let node = this.top.get(root.toLowerCase());
    for (const part of parts) node = node?.children?.get(part.toLowerCase());
    if (!node) throw errno('ENOENT', absPath);
    return node;
  }
}

function errno(code: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${path}`), { code, path });
}
