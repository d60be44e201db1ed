/**
 * The team index's addresses and provenance: store URLs (chroma://, chroma+https://), collection
 * names, the commit read from `.git` without running git. The token sent to a real server:
 * test/system/team-config.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { headCommitOf } from '../../src/core/files/git-commit';
import { checkCollectionName, parseStoreUrl, TeamIndexError } from '../../src/core/store/team-address';
import { tempDir } from '../helpers';

test('store URLs: chroma:// is plain HTTP, chroma+https:// is TLS, port 8000 by default; anything else is refused', () => {
  assert.deepEqual(parseStoreUrl('chroma://127.0.0.1:9100'), { host: '127.0.0.1', port: 9100, ssl: false });
  assert.deepEqual(parseStoreUrl('chroma+https://chroma.example.com'), { host: 'chroma.example.com', port: 8000, ssl: true });
  assert.deepEqual(parseStoreUrl('chroma+https://chroma.example.com:443/'), { host: 'chroma.example.com', port: 443, ssl: true });
  for (const bad of ['http://127.0.0.1:8000', 'chroma://', 'chroma://host:port', 'qdrant://h:1']) assert.throws(() => parseStoreUrl(bad), TeamIndexError, bad);
  assert.equal(checkCollectionName('my-repo.main_1'), 'my-repo.main_1');
  for (const bad of ['ab', '-repo', 'repo-', 'a/b', 'with space']) assert.throws(() => checkCollectionName(bad), TeamIndexError, bad);
});

test('the commit comes from .git: a loose ref, a packed ref, a detached HEAD, a worktree pointer', async () => {
  const sha1 = 'a'.repeat(40);
  const sha2 = 'b'.repeat(40);
  const repo = tempDir();
  mkdirSync(join(repo, '.git', 'refs', 'heads'), { recursive: true });
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(repo, '.git', 'refs', 'heads', 'main'), `${sha1}\n`);
  assert.equal(await headCommitOf(repo), sha1);
  writeFileSync(join(repo, '.git', 'HEAD'), 'ref: refs/heads/packed\n');
  writeFileSync(join(repo, '.git', 'packed-refs'), `# pack-refs with: peeled\n${sha2} refs/heads/packed\n`);
  assert.equal(await headCommitOf(repo), sha2);
  writeFileSync(join(repo, '.git', 'HEAD'), `${sha1}\n`);
  assert.equal(await headCommitOf(repo), sha1);
  const worktree = tempDir();
  mkdirSync(join(repo, '.git', 'worktrees', 'w'), { recursive: true });
  writeFileSync(join(worktree, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'w')}\n`);
  writeFileSync(join(repo, '.git', 'worktrees', 'w', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(repo, '.git', 'worktrees', 'w', 'commondir'), '../..\n');
  assert.equal(await headCommitOf(worktree), sha1);
  assert.equal(await headCommitOf(tempDir()), undefined);
});
