/**
 * One writer per index folder. The lock is a file created exclusively, holding the owner's pid and
 * host; a lock whose process is gone (a crash) is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface IndexLock {
  release(): Promise<void>;
}

export class IndexLockedError extends Error {
  override name = 'IndexLockedError';
}

export async function acquireLock(path: string): Promise<IndexLock> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      await handle.close();
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = await readOwner(path);
      if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
        await rm(path, { force: true });
        continue;
      }
      throw new IndexLockedError(
        `The index at ${path.replace(/[\\/]index\.lock$/, '')} is being updated by another Quipu process` +
          (owner ? ` (pid ${owner.pid} since ${owner.since})` : '') + '. Wait for it to finish, or stop it.',
      );
    }
  }
  throw new IndexLockedError(`Could not take the index lock ${path}.`);
}

async function readOwner(path: string): Promise<{ pid: number; host: string; since: string } | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as { pid: number; host: string; since: string };
  } catch {
    return undefined;
  }
}

/** Whether a process with this id runs (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
