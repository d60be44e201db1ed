/**
 * The commit a folder's Git checkout is at, read from `.git` itself (HEAD, the ref it names, or
 * packed-refs): no `git` process, so nothing in the repository's Git config runs.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export async function headCommitOf(folder: string): Promise<string | undefined> {
  try {
    let gitDir = join(folder, '.git');
    // A worktree or submodule: `.git` is a file naming the real Git folder.
    if ((await stat(gitDir)).isFile()) {
      const pointer = /^gitdir:\s*(.+)$/m.exec(await readFile(gitDir, 'utf8'));
      if (!pointer) return undefined;
      gitDir = resolve(folder, pointer[1].trim());
    }
    const head = (await readFile(join(gitDir, 'HEAD'), 'utf8')).trim();
    const ref = /^ref:\s*(.+)$/.exec(head)?.[1];
    if (!ref) return /^[0-9a-f]{40,64}$/.test(head) ? head : undefined;
    // Refs live in the common folder for a worktree.
    const common = await readFile(join(gitDir, 'commondir'), 'utf8').then((text) => resolve(gitDir, text.trim()), () => gitDir);
    for (const dir of [gitDir, common]) {
      const loose = await readFile(join(dir, ref), 'utf8').catch(() => undefined);
      if (loose && /^[0-9a-f]{40,64}$/.test(loose.trim())) return loose.trim();
    }
    const packed = await readFile(join(common, 'packed-refs'), 'utf8').catch(() => '');
    for (const line of packed.split('\n')) {
      const [sha, name] = line.trim().split(' ');
      if (name === ref && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
