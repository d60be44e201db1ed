/**
 * The team index end to end, against a real Chroma server (test/servers/chroma.ts) and the real model:
 * `quipu index --store` publishes, a developer's folder searches the base plus a local overlay, and
 * faults (the server stopped mid-session and mid-upload, the uploader killed) behave as documented.
 * A proxy that holds one request (test/servers/holding-proxy.ts) picks the moment; nothing is mocked.
 */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { searchLexical } from '../../src/core/search/lexical';
import { ChromaStore } from '../../src/core/store/chroma-store';
import { readCatalog } from '../../src/core/store/catalog';
import { readManifest } from '../../src/core/store/manifest';
import type { StoreIdentity } from '../../src/core/store/types';
import { StoreIdentityError } from '../../src/core/store/vector-store';
import { TeamIndex } from '../../src/core/team/team';
import { copyFixture, runCli, tempDir, testEngine } from '../helpers';
import { startChroma, type RunningChroma } from '../servers/chroma';
import { startHoldingProxy } from '../servers/holding-proxy';

let chroma: RunningChroma;
before(async () => {
  chroma = await startChroma();
});
after(() => chroma?.dispose());

const COLLECTION = 'team-a';
const base = copyFixture('corpus');
const baseIndex = join(tempDir(), 'index');

async function publish(url = chroma.url, extra: string[] = []) {
  return runCli(['index', base, '--index-dir', baseIndex, '--store', url, '--collection', COLLECTION, '--json', ...extra]);
}

/** What the team index holds: the deep tier's vectors alone (the local index also names its fast tier's model). */
async function identityOfBase(): Promise<StoreIdentity> {
  const manifest = (await readManifest(baseIndex))!;
  return { modelId: (await testEngine()).embedder.id, chunkKey: manifest.chunkKey, dimensions: manifest.dimensions };
}

async function localChunkCount(): Promise<number> {
  const catalog = await readCatalog(baseIndex, (await readManifest(baseIndex))!);
  return [...catalog.values()].reduce((n, e) => n + e.chunkIds.length, 0);
}

async function reader(): Promise<ChromaStore> {
  return ChromaStore.open(chroma.url, COLLECTION, await identityOfBase(), { write: false });
}

test('quipu index --store publishes chunks, vectors and a per-file catalog with the commit; a second run uploads nothing', async () => {
  const first = await publish(chroma.url, ['--commit', 'c0ffee']);
  assert.equal(first.code, 0, first.stderr);
  const summary = JSON.parse(first.stdout) as { published: { filesUploaded: number; generation: number; commit: string } };
  assert.equal(summary.published.filesUploaded, 5);
  assert.equal(summary.published.generation, 1);
  assert.equal(summary.published.commit, 'c0ffee');
  const again = await publish(chroma.url, ['--commit', 'c0ffee']);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as { published: { filesUploaded: number; filesUnchanged: number; generation: number } };
  assert.equal(second.published.filesUploaded, 0);
  assert.equal(second.published.filesUnchanged, 5);
  assert.equal(second.published.generation, 1);

  const store = await reader();
  assert.equal(await store.chunkCount(), await localChunkCount());
  const catalog = await store.catalog();
  assert.deepEqual([...catalog.keys()].sort(), ['docs/deploy.md', 'notes/pasta.txt', 'src/auth/password.ts', 'src/net/retry.ts', 'src/util/dates.py']);
  assert.equal(catalog.get('src/net/retry.ts')!.commit, 'c0ffee');
  assert.ok(catalog.get('src/net/retry.ts')!.inputHashes.length > 0);

  // The same model on both sides: another one is refused, naming both.
  const identity = await identityOfBase();
  await assert.rejects(ChromaStore.open(chroma.url, COLLECTION, { ...identity, modelId: 'another-model', dimensions: 768 }, { write: true }), (error: Error) => {
    assert.ok(error instanceof StoreIdentityError);
    assert.match(error.message, new RegExp(`${identity.modelId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(384 dimensions\\)`));
    assert.match(error.message, /another-model \(768 dimensions\)/);
    return true;
  });
});

const dev = copyFixture('corpus');
const overlayDir = join(tempDir(), 'overlay');
let team: TeamIndex;

test('a developer searches the base plus a local overlay of changed, added and deleted files', async () => {
  appendFileSync(join(dev, 'src/net/retry.ts'), '\n/** Sends the quokka telemetry beacon to the lighthouse. */\nexport function sendQuokkaBeacon(): void {\n  console.log("beacon");\n}\n');
  rmSync(join(dev, 'notes/pasta.txt'));
  writeFileSync(join(dev, 'src/flasher.ts'), '/** Flashes zebra firmware onto the board over a serial line. */\nexport function flashZebraFirmware(port: string): void {\n  console.log(port);\n}\n');
  const engine = await testEngine();
  team = TeamIndex.for(engine, dev, { url: chroma.url, collection: COLLECTION }, { overlayDir });
  const summary = (await team.sync())!;
  assert.equal(summary.filesIndexed, 2, 'only the changed and the added file are indexed here');
  assert.ok(summary.chunksReused > 0, "the edited file's unchanged chunks take their vectors from the server");
  assert.deepEqual([...team.replacedPaths].sort(), ['notes/pasta.txt', 'src/net/retry.ts']);

  const changed = await team.search('quokka telemetry beacon', { sync: false });
  assert.equal(changed.notice, undefined);
  assert.equal(changed.results[0].path, 'src/net/retry.ts');
  assert.match(changed.results[0].snippet, /quokka/);
  const added = await team.search('flash firmware onto a board', { sync: false });
  assert.equal(added.results[0].path, 'src/flasher.ts');
  const fromBase = await team.search('deploy the service to production', { sync: false, topK: 3 });
  assert.equal(fromBase.results[0].path, 'docs/deploy.md');
  // The deleted file's base chunks are gone; the edited file's base chunks are not shown beside its new ones.
  const all = await team.search('pasta retry password dates deploy', { sync: false, topK: 50 });
  assert.ok(!all.results.some((r) => r.path === 'notes/pasta.txt'));
  const keys = all.results.map((r) => `${r.path}:${r.startLine}`);
  assert.equal(new Set(keys).size, keys.length, 'no chunk twice (base and overlay)');

  const status = await team.status();
  assert.equal(status.available, true);
  assert.equal(status.generation, 1);
  assert.equal(status.commit, 'c0ffee');
  assert.equal(status.overlayFiles, 2);
  assert.equal(status.replacedFiles, 2);
});

test('quipu status --store says which team index is used and the commit indexed', async () => {
  const run = await runCli(['status', dev, '--index-dir', overlayDir, '--store', chroma.url, '--collection', COLLECTION]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`use the team index ${COLLECTION} at chroma://127\\.0\\.0\\.1:${chroma.port}`));
  assert.match(run.stdout, /commit indexed\s+c0ffee/);
  assert.match(run.stdout, /2 files changed or added here, 2 base files replaced or deleted/);
  const search = await runCli(['search', 'quokka telemetry beacon', '--folder', dev, '--index-dir', overlayDir, '--store', chroma.url, '--collection', COLLECTION, '--json']);
  assert.equal(search.code, 0, search.stderr);
  assert.equal((JSON.parse(search.stdout) as { path: string }[])[0].path, 'src/net/retry.ts');
});

test('the server stops mid-session: the overlay alone answers with a notice; the base is back when the server is', async () => {
  await chroma.stop();
  const down = await team.search('quokka telemetry beacon');
  assert.match(down.notice ?? '', /does not answer.*local changes only/);
  assert.equal(down.results[0].path, 'src/net/retry.ts');
  assert.ok(down.results.every((r) => r.path === 'src/net/retry.ts' || r.path === 'src/flasher.ts'), 'only overlay files while the server is down');
  assert.equal((await team.status()).available, false);
  await chroma.start();
  const back = await team.search('deploy the service to production', { topK: 3 });
  assert.equal(back.notice, undefined);
  assert.equal(back.results[0].path, 'docs/deploy.md');
});

test('an upload killed mid-way leaves the previous generation in force; a rerun completes it without duplicates', async () => {
  appendFileSync(join(base, 'docs/deploy.md'), '\nAfter the deploy, feed the walrus.\n');
  // Held: the catalog records, which the writer sends after the chunks and before naming the generation.
  const proxy = await startHoldingProxy(`http://127.0.0.1:${chroma.port}`, (req, body) => (req.url ?? '').endsWith('/upsert') && body.includes('inputHashes'));
  let held = false;
  void proxy.held.then(() => (held = true));
  const killed = await runCli(['index', base, '--index-dir', baseIndex, '--store', `chroma://127.0.0.1:${proxy.port}`, '--collection', COLLECTION, '--commit', 'beef01'], { killWhen: () => held });
  assert.equal(killed.signal, 'SIGKILL');
  await proxy.close();

  const during = await reader();
  assert.equal(during.generation(), 1, 'the previous generation is in force');
  assert.equal(during.pendingGeneration(), 2);
  assert.equal(during.indexedCommit(), 'c0ffee');
  assert.equal(searchLexical(await during.lexicalParts(), 'walrus', 5).length, 0, 'nothing of the killed upload is visible');

  const rerun = await publish(chroma.url, ['--commit', 'beef01']);
  assert.equal(rerun.code, 0, rerun.stderr);
  const after = await reader();
  assert.equal(after.generation(), 2);
  assert.equal(after.pendingGeneration(), undefined);
  assert.equal(after.indexedCommit(), 'beef01');
  assert.equal(await after.chunkCount(), await localChunkCount(), 'no duplicates');
  const parts = await after.lexicalParts();
  const walrus = searchLexical(parts, 'walrus', 5);
  assert.equal(walrus.length, 1);
  assert.equal(parts[0].hitOf(walrus[0].slot, walrus[0].id, walrus[0].score).metadata.path, 'docs/deploy.md');
});

test('the server stops mid-upload: the run says so; a rerun finishes without duplicates', async () => {
  appendFileSync(join(base, 'notes/pasta.txt'), '\nServe with a narwhal-shaped ladle.\n');
  const proxy = await startHoldingProxy(`http://127.0.0.1:${chroma.port}`, (req, body) => (req.url ?? '').endsWith('/upsert') && body.includes('inputHashes'));
  void proxy.held.then(async () => {
    await chroma.stop();
    proxy.release();
  });
  const failed = await publish(`chroma://127.0.0.1:${proxy.port}`, ['--commit', 'beef02']);
  await proxy.close();
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /does not answer/);
  await chroma.start();
  const during = await reader();
  assert.equal(during.generation(), 2);
  const rerun = await publish(chroma.url, ['--commit', 'beef02']);
  assert.equal(rerun.code, 0, rerun.stderr);
  const after = await reader();
  assert.equal(after.generation(), 3);
  assert.equal(await after.chunkCount(), await localChunkCount(), 'no duplicates');
  assert.equal(searchLexical(await after.lexicalParts(), 'narwhal', 5).length, 1);
});

test('readers see the live generation whole while a writer is mid-upload, then the new one', async () => {
  const dims = 8;
  const identity: StoreIdentity = { modelId: 'synthetic', chunkKey: 'k', dimensions: dims };
  const unit = (i: number) => Float32Array.from({ length: dims }, (_, d) => (d === i % dims ? 1 : 0.01 * d));
  const file = (path: string, version: number, axis: number) => ({
    path,
    size: 1,
    mtimeMs: 1,
    hash: `${path}@${version}`,
    ext: 'ts',
    language: 'typescript',
    chunks: [{ text: `${path} version ${version}`, startLine: 1, endLine: 2, inputHash: `${path}:${version}`, vector: unit(axis) }],
  });
  const writer = await ChromaStore.open(chroma.url, 'generations', identity, { write: true });
  writer.stageFile(file('a.ts', 1, 0));
  writer.stageFile(file('b.ts', 1, 1));
  await writer.commit();
  const proxy = await startHoldingProxy(`http://127.0.0.1:${chroma.port}`, (req, body) => (req.url ?? '').endsWith('/upsert') && body.includes('inputHashes'));
  const slow = await ChromaStore.open(`chroma://127.0.0.1:${proxy.port}`, 'generations', identity, { write: true });
  // Version 2 of a.ts points where b.ts does: a reader of generation 1 must still get b.ts v1 and a.ts v1.
  slow.stageFile(file('a.ts', 2, 1));
  const publishing = slow.commit();
  await proxy.held;
  const reading = await ChromaStore.open(chroma.url, 'generations', identity, { write: false });
  assert.equal(reading.generation(), 1);
  assert.equal(reading.pendingGeneration(), 2);
  const during = await reading.vectorCandidates(unit(1), 5);
  assert.deepEqual(during.map((h) => h.text).sort(), ['a.ts version 1', 'b.ts version 1']);
  assert.equal((await reading.catalog()).get('a.ts')!.hash, 'a.ts@1');
  proxy.release();
  await publishing;
  await proxy.close();
  await reading.refresh();
  assert.equal(reading.generation(), 2);
  const afterwards = await reading.vectorCandidates(unit(1), 5);
  assert.deepEqual(afterwards.map((h) => h.text).sort(), ['a.ts version 2', 'b.ts version 1']);
  assert.equal((await reading.catalog()).get('a.ts')!.hash, 'a.ts@2');
});
