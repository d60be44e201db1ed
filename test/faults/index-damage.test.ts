/**
 * Index files damaged where their structure still looks whole, a lost manifest, an abandoned lock
 * (issue 22, F6–F9): each is found (by content, by size, by what is left), said plainly, and
 * repaired by the next writer, with nothing already indexed lost. `quipu verify` is the oracle.
 */
import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { acquireLock, IndexLockedError } from '../../src/core/store/lock';
import type { IndexSummary } from '../../src/core/pipeline/events';
import { DOCS, FIXTURES, tempDir } from '../helpers';
import { assertConsistent, indexJson, runQuipu, verify } from './helpers';

interface ManifestFile {
  catalogGeneration: number;
  shardGenerations: number[];
  shardSums?: ({ generation: number; vectors: { bytes: number; crc32: number }; lexical: { bytes: number; crc32: number } } | null)[];
}

const manifestOf = (indexDir: string) => JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as ManifestFile;

/** A committed shard file of the first shard that holds chunks. */
function shardFile(indexDir: string, kind: 'vectors' | 'lexical'): string {
  const { shardGenerations } = manifestOf(indexDir);
  const shard = shardGenerations.findIndex((g) => g > 0);
  return join(indexDir, 'shards', `s${String(shard).padStart(2, '0')}`, `${kind}.g${shardGenerations[shard]}.bin`);
}

function aTextsFile(indexDir: string): string {
  const dir = join(indexDir, 'texts', readdirSync(join(indexDir, 'texts'))[0]);
  return join(dir, readdirSync(dir)[0]);
}

/** Bytes that differ from the old ones at every position (a seeded pattern: the test is the same every run). */
function overwriteQuarter(file: string, where: 'start' | 'end'): void {
  const bytes = readFileSync(file);
  const length = bytes.length >> 2;
  const from = where === 'end' ? bytes.length - length : 8;
  for (let i = 0; i < length; i++) bytes[from + i] = (bytes[from + i] + 1 + ((i * 131) % 255)) & 0xff;
  writeFileSync(file, bytes);
}

let original: { folder: string; indexDir: string; files: number };

before(async () => {
  const folder = tempDir('quipu-dmg-');
  cpSync(join(FIXTURES, 'corpus'), folder, { recursive: true });
  cpSync(join(DOCS, 'solar-guide.pdf'), join(folder, 'solar.pdf'));
  const indexDir = tempDir();
  const { summary } = await indexJson(folder, indexDir);
  original = { folder, indexDir, files: summary.filesIndexed };
});

/** A copy of the indexed corpus and its index (timestamps kept: the catalog's mtimes still match). */
function indexedCorpus(): { folder: string; indexDir: string; files: number } {
  const folder = tempDir('quipu-dmg-');
  const indexDir = tempDir();
  cpSync(original.folder, folder, { recursive: true, preserveTimestamps: true });
  cpSync(original.indexDir, indexDir, { recursive: true, preserveTimestamps: true });
  return { folder, indexDir, files: original.files };
}

async function assertWholeAgain(folder: string, indexDir: string, files: number): Promise<void> {
  const report = await assertConsistent(folder, indexDir);
  assert.equal(report.files, files, 'nothing indexed is lost');
  const after = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--json', '--top', '1']);
  assert.equal(after.code, 0, after.stderr);
  assert.equal((JSON.parse(after.stdout) as { path: string }[])[0].path, 'notes/pasta.txt');
}

/** The index run a user makes next: exit 0, and it says it repaired `file` first, re-indexing only part. */
async function assertIndexRepairs(folder: string, indexDir: string, files: number, file: RegExp): Promise<IndexSummary> {
  const run = await runQuipu(['index', folder, '--index-dir', indexDir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, new RegExp(`Repairing the index first: .*${file.source}`));
  const summary = JSON.parse(run.stdout) as IndexSummary;
  assert.match(summary.repairReason ?? '', file);
  assert.ok(summary.filesIndexed > 0 && summary.filesIndexed < files, `only the damaged part is indexed again (${summary.filesIndexed} of ${files})`);
  return summary;
}

for (const kind of ['vectors', 'lexical'] as const) {
  test(`F6: random bytes over a quarter of a shard's ${kind} file, size unchanged: verify and search name it by its checksum; the next index run repairs that shard`, async () => {
    const { folder, indexDir, files } = indexedCorpus();
    const file = shardFile(indexDir, kind);
    const size = statSync(file).size;
    overwriteQuarter(file, 'end');
    assert.equal(statSync(file).size, size);
    const found = await verify(folder, indexDir);
    assert.equal(found.code, 1);
    assert.equal(found.report.rebuildReason, undefined, 'a shard, not the whole index');
    const named = found.report.damaged.find((d) => join(indexDir, d.file) === file);
    assert.match(named?.problem ?? '', /checksum differs/, JSON.stringify(found.report.damaged));
    // Lexical mode reads the word index too; the default mode reads the vectors.
    const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, ...(kind === 'lexical' ? ['--mode', 'lexical'] : [])]);
    assert.equal(search.code, 1, search.stdout);
    assert.ok(search.stderr.includes(file), search.stderr);
    assert.match(search.stderr, /checksum differs.*quipu verify --repair/);
    await assertIndexRepairs(folder, indexDir, files, /checksum differs/);
    await assertWholeAgain(folder, indexDir, files);
  });
}

test('F7: an emptied word index is not "unchanged": the next index run finds it by size, repairs its shard and says so', async () => {
  const { folder, indexDir, files } = indexedCorpus();
  const file = shardFile(indexDir, 'lexical');
  truncateSync(file, 0);
  await assertIndexRepairs(folder, indexDir, files, /lexical\.g\d+\.bin is damaged \(it is 0 bytes, not the \d+ written\)/);
  await assertWholeAgain(folder, indexDir, files);
});

test('F7: a search that runs into an emptied word index names the file and says how to repair it', async () => {
  const { folder, indexDir } = indexedCorpus();
  const file = shardFile(indexDir, 'lexical');
  truncateSync(file, 0);
  const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--mode', 'lexical']);
  assert.equal(search.code, 1);
  assert.ok(search.stderr.includes(`${file} cannot be read (it is 0 bytes, not the`), search.stderr);
  assert.match(search.stderr, /quipu verify --repair/);
});

test('F7: a chunk-texts file cut in half: the next index run finds it by size and indexes its file again', async () => {
  const { folder, indexDir, files } = indexedCorpus();
  const file = aTextsFile(indexDir);
  const bytes = readFileSync(file);
  writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
  const summary = await assertIndexRepairs(folder, indexDir, files, /texts\/\S+\.json is damaged \(it is \d+ bytes, not the \d+ written\)/);
  assert.ok(summary.filesIndexed <= 2, `the file (or the two with its content) indexed again, not ${summary.filesIndexed}`);
  await assertWholeAgain(folder, indexDir, files);
});

test('F7: texts rewritten as other valid JSON of the same length: verify finds them by checksum; a search that reads them leaves them to the next writer', async () => {
  const { folder, indexDir, files } = indexedCorpus();
  const catalog = JSON.parse(readFileSync(join(indexDir, `catalog.g${manifestOf(indexDir).catalogGeneration}.json`), 'utf8')) as Record<string, { textKey: string }>;
  const file = join(indexDir, 'texts', catalog['notes/pasta.txt'].textKey.slice(0, 2), `${catalog['notes/pasta.txt'].textKey}.json`);
  const texts = JSON.parse(readFileSync(file, 'utf8')) as string[];
  // Same count, same length, other words: every structural check passes.
  writeFileSync(file, JSON.stringify(texts.map((t) => t.replace(/[a-z]/g, 'x'))));
  assert.equal(statSync(file).size, Buffer.byteLength(JSON.stringify(texts)));
  const found = await verify(folder, indexDir);
  assert.equal(found.code, 1);
  assert.deepEqual(found.report.damagedFiles, ['notes/pasta.txt']);
  assert.match(found.report.damaged[0].problem, /checksum differs/);
  // The search shows its results (the text of that one is not trusted), says so, and leaves a note for the writer.
  const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--json', '--top', '1']);
  assert.equal(search.code, 0, search.stderr);
  assert.equal((JSON.parse(search.stdout) as { path: string }[])[0].path, 'notes/pasta.txt');
  assert.ok(search.stderr.includes(`quipu: warning: ${file} cannot be read (its checksum differs`), search.stderr);
  assert.match(search.stderr, /quipu verify --repair.*shown without their text/);
  assert.match(readFileSync(join(indexDir, 'repair-needed.txt'), 'utf8'), /checksum differs/);
  await assertIndexRepairs(folder, indexDir, files, /checksum differs/);
  await assertWholeAgain(folder, indexDir, files);
});

/** The corpus indexed twice (a second generation), so a rebuild's generation 1 differs from what is left. */
async function twoGenerations(): Promise<{ folder: string; indexDir: string; files: number }> {
  const corpus = indexedCorpus();
  writeFileSync(join(corpus.folder, 'notes', 'tea.md'), '# Tea\n\nSteep green tea at 80 degrees for two minutes.\n');
  await indexJson(corpus.folder, corpus.indexDir);
  assert.equal(manifestOf(corpus.indexDir).catalogGeneration, 2);
  return { ...corpus, files: corpus.files + 1 };
}

/** Every file in the index folder is one the manifest names (or the lock-free extras), nothing orphaned. */
function assertNoOrphans(indexDir: string): void {
  const manifest = manifestOf(indexDir);
  assert.deepEqual(readdirSync(indexDir).filter((n) => n.startsWith('catalog.')), [`catalog.g${manifest.catalogGeneration}.json`]);
  for (const shardName of readdirSync(join(indexDir, 'shards'))) {
    const generation = manifest.shardGenerations[Number(shardName.slice(1))];
    assert.deepEqual(readdirSync(join(indexDir, 'shards', shardName)).sort(), [`lexical.g${generation}.bin`, `vectors.g${generation}.bin`]);
  }
}

test('F8: a deleted manifest beside index files: search and verify say the manifest is missing; the next index run rebuilds and removes what was left', async () => {
  const { folder, indexDir, files } = await twoGenerations();
  rmSync(join(indexDir, 'manifest.json'));
  const search = await runQuipu(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir]);
  assert.equal(search.code, 1);
  assert.match(search.stderr, /must be rebuilt: the manifest \(\S+manifest\.json\) is missing, while catalog\.g2\.json, shards\/, texts\/ remain.*quipu index/);
  const found = await verify(folder, indexDir);
  assert.equal(found.code, 1);
  assert.equal(found.report.notIndexedYet, false, 'not read as never indexed');
  assert.match(found.report.rebuildReason ?? '', /the manifest .* is missing/);
  assert.deepEqual(found.report.damaged.map((d) => d.file), ['manifest.json']);
  const run = await runQuipu(['index', folder, '--index-dir', indexDir, '--json']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /Rebuilding the index: the manifest \(\S+\) is missing, while catalog\.g2\.json, shards\/, texts\/ remain/);
  const summary = JSON.parse(run.stdout) as IndexSummary;
  assert.equal(summary.filesIndexed, files);
  assert.equal(manifestOf(indexDir).catalogGeneration, 1);
  assertNoOrphans(indexDir);
  await assertWholeAgain(folder, indexDir, files);
});

test('F8: verify --repair rebuilds an index whose manifest was deleted, and removes what was left', async () => {
  const { folder, indexDir, files } = await twoGenerations();
  rmSync(join(indexDir, 'manifest.json'));
  const repaired = await verify(folder, indexDir, true);
  assert.equal(repaired.code, 0, JSON.stringify(repaired.report));
  assert.match(repaired.before?.rebuildReason ?? '', /the manifest .* is missing/);
  assertNoOrphans(indexDir);
  await assertWholeAgain(folder, indexDir, files);
});

for (const [name, content] of [
  ['an empty', ''],
  ['a garbage', '\x00{"pi'],
] as const) {
  test(`F9: ${name} index.lock an hour old (a crash while taking it) is taken over, saying so`, async () => {
    const { folder, indexDir, files } = indexedCorpus();
    const lock = join(indexDir, 'index.lock');
    writeFileSync(lock, content);
    const anHourAgo = new Date(Date.now() - 3600_000);
    utimesSync(lock, anHourAgo, anHourAgo);
    const run = await runQuipu(['index', folder, '--index-dir', indexDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.stderr.includes(`the index lock ${lock} named no process`), run.stderr);
    assert.throws(() => statSync(lock), /ENOENT/, 'released after the run');
    const report = await assertConsistent(folder, indexDir);
    assert.equal(report.files, files);
  });
}

test('F9: a lock that names no process blocks writers, naming the file, until it is old enough (the clock is injected, nothing waits)', async () => {
  const dir = tempDir('quipu-lock-');
  const lock = join(dir, 'index.lock');
  writeFileSync(lock, '');
  const mtime = statSync(lock).mtimeMs;
  const options = { unidentifiedStaleMs: 30_000 };
  await assert.rejects(acquireLock(lock, { ...options, now: () => mtime + 29_000 }), (error: Error) => {
    assert.ok(error instanceof IndexLockedError);
    assert.ok(error.message.startsWith(`The index lock ${lock} names no process (it is empty or damaged, 29 s old)`), error.message);
    assert.match(error.message, /taken over once 30 s old/);
    return true;
  });
  assert.equal(readFileSync(lock, 'utf8'), '', 'left as it was');
  const taken = await acquireLock(lock, { ...options, now: () => mtime + 30_000 });
  assert.match(taken.tookOver ?? '', /named no process .*30 s old/);
  assert.equal((JSON.parse(readFileSync(lock, 'utf8')) as { pid: number }).pid, process.pid);
  // Now held by a live process: a second writer is refused whatever the clock says.
  await assert.rejects(acquireLock(lock, { ...options, now: () => mtime + 3600_000 }), /being updated by another Quipu process \(pid \d+ since/);
  await taken.release();
});

test('an index written before checksums (no `shardSums`, no `textSum`, or sums of another generation) still reads, verifies and updates, and gains sums as shards are rewritten', async () => {
  const { folder, indexDir, files } = indexedCorpus();
  const manifest = manifestOf(indexDir);
  // An older Quipu that rewrote every shard once would leave sums naming the previous generation.
  const stale = manifest.shardSums?.map((s) => s && { ...s, generation: s.generation - 1, vectors: { bytes: 1, crc32: 1 } });
  writeFileSync(join(indexDir, 'manifest.json'), JSON.stringify({ ...manifest, shardSums: stale }));
  await assertWholeAgain(folder, indexDir, files);
  delete manifest.shardSums;
  writeFileSync(join(indexDir, 'manifest.json'), JSON.stringify(manifest));
  const catalogFile = join(indexDir, `catalog.g${manifest.catalogGeneration}.json`);
  const catalog = JSON.parse(readFileSync(catalogFile, 'utf8')) as Record<string, { textSum?: unknown }>;
  for (const entry of Object.values(catalog)) delete entry.textSum;
  writeFileSync(catalogFile, JSON.stringify(catalog));
  await assertWholeAgain(folder, indexDir, files);
  const unchanged = await indexJson(folder, indexDir);
  assert.equal(unchanged.summary.filesIndexed, 0);
  assert.equal(unchanged.summary.repairReason, undefined);
  writeFileSync(join(folder, 'notes', 'pasta.txt'), `${readFileSync(join(folder, 'notes', 'pasta.txt'), 'utf8')}\nSalt the water well.\n`);
  await indexJson(folder, indexDir);
  const after = manifestOf(indexDir);
  assert.equal(after.shardSums?.filter((s) => s !== null).length, 1, 'the rewritten shard has sums, the others none');
  await assertWholeAgain(folder, indexDir, files);
});
