/**
 * Damaged index files: a clear message and a rebuild (or a repair of only what is damaged), never a
 * crash or a silent empty index; a full disk while committing leaves the previous generation intact.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DOCS, FIXTURES, tempDir } from '../helpers';
import { assertConsistent, indexJson, openParents, runQuipu, verify } from './helpers';

function manifestOf(indexDir: string): { catalogGeneration: number; shardGenerations: number[] } {
  return JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number; shardGenerations: number[] };
}

async function indexedCorpus(): Promise<{ folder: string; indexDir: string; files: number }> {
  const folder = tempDir('quipu-idx-');
  cpSync(join(FIXTURES, 'corpus'), folder, { recursive: true });
  cpSync(join(DOCS, 'solar-guide.pdf'), join(folder, 'solar.pdf'));
  const indexDir = tempDir();
  const { summary } = await indexJson(folder, indexDir);
  return { folder, indexDir, files: summary.filesIndexed };
}

const cases: { name: string; damage: (indexDir: string) => void; whole: boolean; searchMayWork?: boolean }[] = [
  { name: 'a garbage manifest', whole: true, damage: (d) => writeFileSync(join(d, 'manifest.json'), '\x00\x01garbage{') },
  { name: 'an empty manifest', whole: true, damage: (d) => writeFileSync(join(d, 'manifest.json'), '') },
  {
    name: 'half a catalog',
    whole: true,
    damage: (d) => {
      const file = join(d, `catalog.g${manifestOf(d).catalogGeneration}.json`);
      const text = readFileSync(file);
      writeFileSync(file, text.subarray(0, text.length >> 1));
    },
  },
  { name: 'a missing catalog', whole: true, damage: (d) => rmSync(join(d, `catalog.g${manifestOf(d).catalogGeneration}.json`)) },
  {
    name: 'a truncated shard',
    whole: false,
    damage: (d) => {
      const shard = manifestOf(d).shardGenerations.findIndex((g) => g > 0);
      const file = join(d, 'shards', `s${String(shard).padStart(2, '0')}`, `vectors.g${manifestOf(d).shardGenerations[shard]}.bin`);
      writeFileSync(file, readFileSync(file).subarray(0, 64));
    },
  },
  {
    name: 'a garbage word index',
    whole: false,
    damage: (d) => {
      const shard = manifestOf(d).shardGenerations.findIndex((g) => g > 0);
      writeFileSync(join(d, 'shards', `s${String(shard).padStart(2, '0')}`, `lexical.g${manifestOf(d).shardGenerations[shard]}.bin`), 'garbage');
    },
  },
  {
    name: 'damaged chunk texts',
    whole: false,
    // Texts are read only for the results shown: a search that shows other files still works.
    searchMayWork: true,
    damage: (d) => {
      const dir = join(d, 'texts', readdirSync(join(d, 'texts'))[0]);
      writeFileSync(join(dir, readdirSync(dir)[0]), '["half');
    },
  },
  {
    name: 'a catalog path outside the folder',
    whole: true,
    damage: (d) => {
      const file = join(d, `catalog.g${manifestOf(d).catalogGeneration}.json`);
      const catalog = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      const [first] = Object.keys(catalog);
      catalog['../../../../etc/passwd'] = catalog[first];
      writeFileSync(file, JSON.stringify(catalog));
    },
  },
];

for (const c of cases) {
  test(`${c.name}: search says so (no crash, no silent empty result), verify finds it, --repair restores every file`, async () => {
    const { folder, indexDir, files } = await indexedCorpus();
    c.damage(indexDir);
    const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir]);
    if (!(c.searchMayWork && search.code === 0)) {
      assert.equal(search.code, 1, search.stdout);
      assert.match(search.stderr, /^quipu: .*(damaged|cannot be read|missing).*(quipu index|quipu verify --repair)/s);
    }
    assert.doesNotMatch(search.stderr, /\n\s+at /, 'no stack trace');
    const found = await verify(folder, indexDir);
    assert.equal(found.code, 1);
    assert.equal(found.report.ok, false);
    assert.ok(found.report.damaged.length > 0, JSON.stringify(found.report));
    assert.equal(!!found.report.rebuildReason, c.whole, found.report.rebuildReason);
    const repaired = await verify(folder, indexDir, true);
    assert.equal(repaired.code, 0, JSON.stringify(repaired.report));
    const report = await assertConsistent(folder, indexDir);
    assert.equal(report.files, files, 'nothing indexed is lost');
    const after = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--json', '--top', '1']);
    assert.equal((JSON.parse(after.stdout) as { path: string }[])[0].path, 'notes/pasta.txt');
  });
}

test('a damaged shard that a search runs into is repaired by the next index run, which says so', async () => {
  const { folder, indexDir, files } = await indexedCorpus();
  cases.find((c) => c.name === 'a truncated shard')?.damage(indexDir);
  const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir]);
  assert.equal(search.code, 1);
  assert.match(search.stderr, /cannot be read .*the next `quipu index` repairs it too/);
  const run = await runQuipu(['index', folder, '--index-dir', indexDir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Repairing the index first: .*shards\/s\d+\/\S+ cannot be read/);
  const summary = JSON.parse(run.stdout) as { repairReason?: string; filesIndexed: number };
  assert.match(summary.repairReason ?? '', /cannot be read/);
  assert.ok(summary.filesIndexed > 0 && summary.filesIndexed < files, `only the damaged shard's files are indexed again (${summary.filesIndexed} of ${files})`);
  const report = await assertConsistent(folder, indexDir);
  assert.equal(report.files, files, 'nothing indexed is lost');
  const after = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--json', '--top', '1']);
  assert.equal((JSON.parse(after.stdout) as { path: string }[])[0].path, 'notes/pasta.txt');
  // The note is gone with the repair: the run after it is an ordinary one.
  const again = await indexJson(folder, indexDir);
  assert.equal((again.summary as { repairReason?: string }).repairReason, undefined);
});

test('a writer given a garbage manifest rebuilds the index and says why', async () => {
  const { folder, indexDir, files } = await indexedCorpus();
  writeFileSync(join(indexDir, 'manifest.json'), 'not json');
  const { summary } = await indexJson(folder, indexDir);
  assert.match(summary.rebuildReason ?? '', /the index was damaged \(manifest\.json is not valid JSON/);
  assert.equal(summary.filesIndexed, files);
  await assertConsistent(folder, indexDir);
});

test('disk full while committing (a 2 MB tmpfs as the index folder): a clear error, the previous generation intact', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to mount a tmpfs');
  const folder = tempDir('quipu-full-');
  writeFileSync(join(folder, 'first.md'), '# First\n\nThe first note, about lighthouses on rocky coasts.\n');
  const indexDir = join(tempDir('quipu-tmpfs-'), 'index');
  mkdirSync(indexDir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', indexDir]);
  try {
    await indexJson(folder, indexDir);
    const before = await verify(folder, indexDir);
    assert.equal(before.report.files, 1);
    // Fill the disk but for 8 KB, then add more than that to index.
    const { bavail, bsize } = statfsSync(indexDir);
    writeFileSync(join(indexDir, 'filler'), Buffer.alloc(Math.max(0, bavail * bsize - 8192)));
    for (let i = 0; i < 6; i++) writeFileSync(join(folder, `more-${i}.md`), Array.from({ length: 12 }, (_, j) => `Line ${j} of note ${i}: ${'lighthouse keeper '.repeat(12)}\n`).join(''));
    const full = await runQuipu(['index', folder, '--index-dir', indexDir]);
    assert.equal(full.code, 1, full.stdout + full.stderr);
    assert.match(full.stderr, /^quipu: .*ENOSPC/m);
    const check = await verify(folder, indexDir);
    assert.deepEqual(check.report.damaged, [], 'the index files are whole');
    assert.equal(check.report.files, 1, 'the previous generation is what is read');
    assert.equal(check.report.missing.length, 6);
    // Space again: the next run finishes what the full disk stopped.
    rmSync(join(indexDir, 'filler'));
    await indexJson(folder, indexDir);
    await assertConsistent(folder, indexDir);
  } finally {
    execFileSync('umount', ['-l', indexDir]);
  }
});

test('unreadable files and folders, indexed as an unprivileged user: skipped with reasons, the rest indexed', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody');
  const base = tempDir('quipu-perm-');
  chmodSync(base, 0o755);
  const folder = join(base, 'repo');
  mkdirSync(join(folder, 'secret-dir'), { recursive: true });
  writeFileSync(join(folder, 'open.md'), '# Open\n\nAnyone may read this note about hedgehogs.\n');
  writeFileSync(join(folder, 'closed.md'), '# Closed\n\nNobody may read this.\n');
  writeFileSync(join(folder, 'secret-dir', 'inside.md'), '# Inside\n\nHidden.\n');
  chmodSync(folder, 0o755);
  chmodSync(join(folder, 'open.md'), 0o644);
  chmodSync(join(folder, 'closed.md'), 0o000);
  chmodSync(join(folder, 'secret-dir'), 0o000);
  const indexDir = join(base, 'index');
  mkdirSync(indexDir);
  chmodSync(indexDir, 0o777);
  const env = { HOME: indexDir, XDG_CACHE_HOME: indexDir };
  openParents(t);
  const { summary } = await indexJson(folder, indexDir, [], { asUser: '65534', env });
  assert.match(summary.skipped.find((s) => s.path === 'closed.md')?.reason ?? '', /unreadable \(EACCES\)/);
  assert.match(summary.skipped.find((s) => s.path === 'secret-dir')?.reason ?? '', /unreadable folder \(EACCES\)/);
  assert.equal(summary.filesIndexed, 1);
});
