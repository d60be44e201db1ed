/**
 * The machine's vector cache (embed/vector-cache.ts) shared: by two processes writing it at once, and
 * by indexes of one repository's branches and worktrees (git), so what was seen is not embedded again.
 * One process alone: test/unit/vector-cache.test.ts.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VectorCache } from '../../src/core/embed/vector-cache';
import { ROOT, tempDir, testEngine } from '../helpers';

const DIMS = 8;
const key = (i: number) => i.toString(16).padStart(32, '0');
const vector = (i: number) => Float32Array.from({ length: DIMS }, (_, d) => i + d / 10);

/** A child process that writes vectors `from`..`to` into the cache at `dir` (small segments). */
function writerProcess(dir: string, from: number, to: number, maxBytes: number): Promise<unknown> {
  const script = `
    const { VectorCache } = require(${JSON.stringify(join(ROOT, 'src', 'core', 'embed', 'vector-cache.ts'))});
    const cache = VectorCache.open({ dir: ${JSON.stringify(dir)}, maxBytes: ${maxBytes}, segmentBytes: 4096 }, 'model-a', ${DIMS});
    for (let i = ${from}; i < ${to}; i++) {
      const v = Float32Array.from({ length: ${DIMS} }, (_, d) => i + d / 10);
      cache.putMany([[i.toString(16).padStart(32, '0'), v]]);
    }
    cache.close();`;
  return promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT });
}

test('two processes write one cache at once: each finds the other\'s vectors next time, none damaged; evicting each other\'s segments fails neither', async () => {
  const dir = tempDir();
  await Promise.all([writerProcess(dir, 0, 400, 1 << 20), writerProcess(dir, 300, 700, 1 << 20)]);
  const cache = VectorCache.open({ dir, maxBytes: 1 << 20 }, 'model-a', DIMS);
  const all = Array.from({ length: 700 }, (_, i) => key(i));
  const found = cache.getMany(all);
  assert.equal(found.size, 700);
  for (const [k, v] of found) assert.deepEqual(v, vector(parseInt(k, 16)));
  cache.close();

  // A budget of a few segments: each process drops the oldest, the other's included, while both write.
  const small = tempDir();
  await Promise.all([writerProcess(small, 0, 600, 12_000), writerProcess(small, 1000, 1600, 12_000)]);
  const bounded = VectorCache.open({ dir: small, maxBytes: 1 << 20 }, 'model-a', DIMS);
  const kept = bounded.getMany([...Array.from({ length: 600 }, (_, i) => key(i)), ...Array.from({ length: 600 }, (_, i) => key(1000 + i))]);
  assert.ok(kept.size > 0 && kept.size < 1200, `kept ${kept.size}`);
  for (const [k, v] of kept) assert.deepEqual(v, vector(parseInt(k, 16)), 'a kept vector is whole');
  // The newest of either survives (the one written last is never dropped by the process writing it).
  assert.ok(kept.has(key(599)) || kept.has(key(1599)), 'the last vectors written are kept');
  bounded.close();
});

/** A real package in two versions as two commits of one repository. */
function repositoryOfIgnore(): string {
  const repo = tempDir();
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'init.defaultBranch=main', ...args], { cwd: repo, stdio: 'pipe' });
  git('init', '-q');
  const put = (from: string) => {
    for (const name of readdirSync(repo)) if (name !== '.git') rmSync(join(repo, name), { recursive: true, force: true });
    cpSync(from, repo, { recursive: true });
  };
  put(join(ROOT, 'node_modules', 'eslint', 'node_modules', 'ignore')); // ignore 5.3.2
  git('add', '-A');
  git('commit', '-q', '-m', 'ignore 5.3.2');
  git('tag', 'A');
  put(join(ROOT, 'node_modules', 'ignore')); // ignore 7.0.5
  git('add', '-A');
  git('commit', '-q', '-m', 'ignore 7.0.5');
  git('tag', 'B');
  return repo;
}

test('a branch switched and back embeds nothing; a second worktree indexed cold embeds only what differs', async () => {
  const repo = repositoryOfIgnore();
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
  const engine = await testEngine({ vectorCache: { dir: tempDir(), maxBytes: 64 << 20 } });
  const indexDir = tempDir();
  git('checkout', '-q', 'A');
  const first = await engine.index(repo, { indexDir });
  assert.ok(first.chunksEmbedded > 0);
  git('checkout', '-q', 'B');
  const toB = await engine.index(repo, { indexDir });
  assert.ok(toB.chunksEmbedded > 0 && toB.filesIndexed > 0, 'version B has chunks of its own');
  git('checkout', '-q', 'A');
  const back = await engine.index(repo, { indexDir });
  assert.ok(back.filesIndexed > 0, 'files changed back were indexed again');
  assert.equal(back.chunksEmbedded, 0, 'and not one chunk was embedded');
  assert.equal(back.chunksTotal, first.chunksTotal);

  // A second worktree at B with one file changed, into an index of its own: only that change is embedded.
  const second = join(tempDir(), 'second');
  git('worktree', 'add', '-q', second, 'B');
  const readme = join(second, 'README.md');
  writeFileSync(readme, readFileSync(readme, 'utf8') + '\n\n## A section only this worktree has\n\nWritten for the test: it exists in no other version.\n');
  const cold = await engine.index(second, { indexDir: tempDir() });
  assert.ok(cold.chunksEmbedded > 0 && cold.chunksEmbedded <= 3, `embedded ${cold.chunksEmbedded} of ${cold.chunksTotal}`);
  assert.equal(cold.chunksEmbedded + cold.chunksReused, cold.chunksTotal);
});
