/**
 * One writer per index folder. The lock is a file created exclusively, holding the owner's pid and
 * host; a lock whose process is gone (a crash) is taken over. A lock that names no process (empty or
 * garbage: a crash between creating the file and writing it) cannot be asked whether its owner lives,
 * so it is taken over once it is old enough that no live writer can still be about to write it.
 */
import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface IndexLock {
  release(): Promise<void>;
  /** Set when this lock replaced one left by a crash that named no process: what was replaced. */
  readonly tookOver?: string;
}

export interface LockOptions {
  /** How old a lock that names no process must be to be taken over (ms). */
  unidentifiedStaleMs?: number;
  /** The clock its age is measured by (tests move it instead of waiting). */
  now?: () => number;
}

/**
 * A live writer fills its lock within one write after creating it; ten seconds is ages for that and
 * little to wait for a user whose crashed run left an empty one (the extension retries by itself).
 */
export const UNIDENTIFIED_LOCK_STALE_MS = 10_000;

export class IndexLockedError extends Error {
  override name = 'IndexLockedError';
}

interface Owner {
  pid: number;
  host: string;
  since: string;
}

export async function acquireLock(path: string, options: LockOptions = {}): Promise<IndexLock> {
  const staleMs = options.unidentifiedStaleMs ?? UNIDENTIFIED_LOCK_STALE_MS;
  const now = options.now ?? Date.now;
  let tookOver: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      await handle.close();
      let released = false;
      return {
        tookOver,
        async release() {
          if (released) return;
          released = true;
          await rm(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const found = await readLock(path);
      if (!found) continue; // released meanwhile
      const { owner, mtimeMs, ino } = found;
      if (owner && owner.host === hostname() && !isAlive(owner.pid)) {
        await removeIfSame(path, ino, mtimeMs);
        continue;
      }
      const ageMs = now() - mtimeMs;
      if (!owner && ageMs >= staleMs) {
        await removeIfSame(path, ino, mtimeMs);
        tookOver = `the index lock ${path} named no process (empty or damaged, ${Math.round(ageMs / 1000)} s old: left by a crash) and was taken over`;
        continue;
      }
      if (!owner) {
        throw new IndexLockedError(
          `The index lock ${path} names no process (it is empty or damaged, ${Math.max(0, Math.round(ageMs / 1000))} s old). ` +
            `A Quipu process may have just created it, or crashed while creating it: it is taken over once ${Math.round(staleMs / 1000)} s old. Try again then, or delete it if no Quipu process is running.`,
        );
      }
      throw new IndexLockedError(
        `The index at ${path.replace(/[\\/]index\.lock$/, '')} is being updated by another Quipu process (pid ${owner.pid}${owner.host === hostname() ? '' : ` on ${owner.host}`} since ${owner.since}). ` +
          `Wait for it to finish, or stop it. (Its lock: ${path}.)`,
      );
    }
  }
  throw new IndexLockedError(`Could not take the index lock ${path}: other processes keep taking it. Try again.`);
}

/** The lock's owner, if it names one, with the file's identity and age; undefined when it is gone. */
async function readLock(path: string): Promise<{ owner?: Owner; mtimeMs: number; ino: number } | undefined> {
  try {
    const { mtimeMs, ino } = await stat(path);
    const owner = ownerOf(await readFile(path, 'utf8'));
    return { owner, mtimeMs, ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function ownerOf(text: string): Owner | undefined {
  try {
    const owner = JSON.parse(text) as Owner;
    return typeof owner === 'object' && owner !== null && Number.isSafeInteger(owner.pid) && owner.pid > 0 && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes the stale lock judged, not one another process put there since (two writers that found
 * the same stale lock: the first replaces it, the second must not remove the replacement).
 */
async function removeIfSame(path: string, ino: number, mtimeMs: number): Promise<void> {
  const now = await stat(path).catch(() => undefined);
  if (now && now.ino === ino && now.mtimeMs === mtimeMs) await rm(path, { force: true });
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
