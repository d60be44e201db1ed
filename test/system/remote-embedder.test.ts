/**
 * The remote embedder against a real server: Infinity serving the bundled model's fp32 weights
 * (test/servers/infinity.ts), directly and through a fault-injecting proxy (test/servers/fault-proxy.ts).
 * Only loopback addresses.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RemoteEmbedderSettings } from '../../src/core/config/embedder-settings';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { IndexStore } from '../../src/core/store/store';
import { copyFixture, runCli, tempDir, testEngine } from '../helpers';
import { indexProblems } from '../index-problems';
import { startFaultProxy, type Fault } from '../servers/fault-proxy';
import { startInfinity, type RunningServer } from '../servers/infinity';

let server: RunningServer;
let local: QuipuEngine;
/** The corpus indexed by the local model, for comparison. */
let localIndex: string;
let corpus: string;

before(async () => {
  server = await startInfinity();
  local = await testEngine();
  corpus = copyFixture('corpus');
  localIndex = tempDir();
  await local.index(corpus, { indexDir: localIndex });
});
after(() => server?.stop());

function remoteSettings(url: string, extra: Partial<RemoteEmbedderSettings> = {}): RemoteEmbedderSettings {
  return { provider: 'openai', url, model: server.model, batchSize: 4, maxInFlight: 3, attempts: 4, backoffMs: 20, ...extra };
}

function remoteEngine(url: string, extra: Partial<RemoteEmbedderSettings> = {}, commitChunks = 4): Promise<QuipuEngine> {
  return testEngine({ embedder: remoteSettings(url, extra), pipeline: { commitChunks } });
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot; // both unit length
}

async function openIndex(engine: QuipuEngine, indexDir: string): Promise<IndexStore> {
  return IndexStore.open(indexDir, await engine.storeIdentity(), { write: false });
}

/** Every chunk's vector of an index, by model-input hash. */
async function vectorsOf(engine: QuipuEngine, indexDir: string): Promise<Map<string, Float32Array>> {
  const store = await openIndex(engine, indexDir);
  const all = new Map<string, Float32Array>();
  for (const path of store.catalog.keys()) for (const [hash, { vector }] of await store.tieredVectorsOf(path)) all.set(hash, vector);
  await store.close();
  return all;
}

const QUERIES = [
  'keep user credentials safe before saving them',
  'wait longer after each failed attempt',
  'cooking rice slowly with broth',
  'caring for vegetables in the vegetable patch',
  'format a date for people to read',
];

test('served remotely, the same model gives the same vectors (cosine ≥ 0.99) and the same queries rank the same files first', async () => {
  const remote = await remoteEngine(server.url);
  assert.match(remote.embedder.where, /^at http:\/\/127\.0\.0\.1:\d+\/v1\/embeddings/);
  const indexDir = tempDir();
  const summary = await remote.index(corpus, { indexDir });
  const localVectors = await vectorsOf(local, localIndex);
  const remoteVectors = await vectorsOf(remote, indexDir);
  assert.equal(summary.chunksTotal, localVectors.size, 'the same chunks');
  assert.deepEqual([...remoteVectors.keys()].sort(), [...localVectors.keys()].sort());
  for (const [hash, vector] of remoteVectors) {
    assert.equal(vector.length, 384);
    const similarity = cosine(vector, localVectors.get(hash)!);
    assert.ok(similarity >= 0.99, `chunk ${hash}: cosine ${similarity.toFixed(4)}`);
  }
  const [a, b] = [await local.embed(['This is an example sentence']), await remote.embed(['This is an example sentence'])];
  assert.ok(cosine(a[0], b[0]) >= 0.99);
  for (const mode of ['vector', 'hybrid'] as const) {
    for (const query of QUERIES) {
      const [first] = await local.search(corpus, query, { indexDir: localIndex, topK: 1, mode });
      const [remoteFirst] = await remote.search(corpus, query, { indexDir, topK: 1, mode });
      assert.equal(remoteFirst?.path, first?.path, `${mode}: "${query}"`);
    }
  }
});

/** Indexes the corpus through a proxy with the given plan; returns the run's outcome and the index. */
async function indexThrough(plan: (n: number) => Fault | undefined, extra: Partial<RemoteEmbedderSettings> = {}) {
  const proxy = await startFaultProxy(server.url, plan);
  try {
    const engine = await remoteEngine(proxy.url, extra);
    const indexDir = tempDir();
    const outcome = await engine.index(corpus, { indexDir }).then(
      (summary) => ({ summary, error: undefined }),
      (error: Error) => ({ summary: undefined, error }),
    );
    const store = await openIndex(engine, indexDir);
    const problems = await indexProblems(indexDir);
    const files = [...store.catalog.keys()];
    const chunks = store.chunkCount;
    await store.close();
    return { ...outcome, problems, files, chunks, log: [...proxy.log], proxyUrl: proxy.url, engine, indexDir };
  } finally {
    await proxy.close();
  }
}

const allFiles = async () => {
  const store = await openIndex(local, localIndex);
  const files = [...store.catalog.keys()].sort();
  const chunks = store.chunkCount;
  await store.close();
  return { files, chunks };
};

for (const [name, fault] of [
  ['429 with Retry-After', { kind: 'status', status: 429, headers: { 'retry-after': '1' } }],
  ['503', { kind: 'status', status: 503 }],
  ['500', { kind: 'status', status: 500 }],
  ['a truncated JSON body', { kind: 'truncate' }],
  ['a reset connection', { kind: 'reset' }],
] as [string, Fault][]) {
  test(`transient faults (${name}) are retried: the run completes with every chunk, the index consistent`, async () => {
    const expected = await allFiles();
    // Requests 2 and 3 fail once each (request 1 is the dimension probe).
    const run = await indexThrough((n) => (n === 2 || n === 3 ? fault : undefined));
    assert.equal(run.error, undefined, run.error?.message);
    assert.deepEqual(run.log.filter((entry) => entry !== 'ok').length, 2, run.log.join(','));
    assert.deepEqual(run.problems, []);
    assert.deepEqual(run.files.sort(), expected.files);
    assert.equal(run.chunks, expected.chunks);
  });
}

test('an answer that never comes is abandoned at the timeout and retried', async () => {
  const expected = await allFiles();
  // The proxy holds request 2 until it closes; healthy batches of four answer well within 15 s.
  const run = await indexThrough((n) => (n === 2 ? { kind: 'slow', ms: 3_600_000 } : undefined), { timeoutMs: 15_000 });
  assert.equal(run.error, undefined, run.error?.message);
  assert.equal(run.log[1], 'slow');
  assert.deepEqual(run.problems, []);
  assert.equal(run.chunks, expected.chunks);
});

test('a request that keeps failing stops the run naming the endpoint and the error; files already embedded are kept', async () => {
  const expected = await allFiles();
  // One chunk per request, one at a time: the probe and all chunks but the last two pass, then the
  // server fails until it is well again. At most two files miss a vector; the others were embedded whole.
  let well = false;
  const proxy = await startFaultProxy(server.url, (n) => (!well && n > expected.chunks - 1 ? { kind: 'status', status: 500 } : undefined));
  after(() => proxy.close());
  const engine = await remoteEngine(proxy.url, { batchSize: 1, maxInFlight: 1 });
  const indexDir = tempDir();
  const error = await engine.index(corpus, { indexDir }).then(() => undefined, (failure: Error) => failure);
  assert.ok(error, 'the run fails');
  assert.match(error.message, new RegExp(`${proxy.url.replace(/[.:/]/g, '\\$&')}/embeddings kept failing \\(4 attempts\\): HTTP 500`));
  const store = await openIndex(engine, indexDir);
  assert.deepEqual(await indexProblems(indexDir), [], 'the index agrees with its catalog');
  const kept = store.catalog.size;
  await store.close();
  assert.ok(kept >= expected.files.length - 2 && kept < expected.files.length, `${kept} of ${expected.files.length} files kept`);
  // The same index, brought up to date once the server is well: the files kept are not embedded again.
  well = true;
  const resumed = await engine.index(corpus, { indexDir });
  assert.equal(resumed.chunksTotal, expected.chunks);
  assert.equal(resumed.filesUnchanged, kept);
  assert.equal(resumed.filesIndexed, expected.files.length - kept);
});

test('another vector size from the same URL (another model behind it) stops the run before writing a wrong vector', async () => {
  const run = await indexThrough((n) => (n >= 4 ? { kind: 'wrong-dimension', keep: 256 } : undefined), { maxInFlight: 1 });
  assert.ok(run.error);
  assert.match(run.error.message, /returned 256-dimensional vectors .* where it returned 384 before: another model is answering/);
  assert.deepEqual(run.problems, []);
  const kept = await vectorsOf(run.engine, run.indexDir);
  assert.ok([...kept.values()].every((vector) => vector.length === 384), 'no vector of the wrong size was stored');
});

test('quipu index remembers the remote embedder: search and status need no flags; a change of what the model reads rebuilds, saying why', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const env = { QUIPU_INDEX_HOME: tempDir() };
  const indexed = await runCli(['index', folder, '--index-dir', indexDir, '--embed-url', server.url, '--embed-model', server.model], { env });
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.ok(indexed.stderr.includes(`Embeddings are computed at ${server.url}/embeddings (openai, model ${server.model})`), indexed.stderr);
  // The index lives outside the folder, so its record is followed.
  const found = await runCli(['search', 'keep user credentials safe before saving them', '--folder', folder, '--index-dir', indexDir, '--json'], { env });
  assert.equal(found.code, 0, found.stderr);
  assert.equal((JSON.parse(found.stdout) as { path: string }[])[0].path, 'src/auth/password.ts');
  const status = await runCli(['status', folder, '--index-dir', indexDir], { env });
  assert.ok(status.stdout.includes(`embedded         at ${server.url}/embeddings`), status.stdout);
  // What changes the vectors is part of the index's identity: another document prefix rebuilds, saying why.
  const other = await runCli(['index', folder, '--index-dir', indexDir, '--embed-url', server.url, '--embed-model', server.model, '--embed-document-prefix', 'passage: '], { env });
  assert.equal(other.code, 0, other.stderr);
  assert.match(other.stderr, /Rebuilding the index: the model changed \(openai@127\.0\.0\.1:\d+\/all-MiniLM-L6-v2 → openai@127\.0\.0\.1:\d+\/all-MiniLM-L6-v2;doc="passage: "\)/);
});

test('the API key is sent as a bearer token and appears in no error message and no file of the index', async () => {
  const secret = 'sk-test-0123456789abcdef';
  let seen: string | undefined;
  const proxy = await startFaultProxy(server.url, (n, headers) => {
    seen = headers.authorization;
    // A server that echoes what it was sent, key included, in its refusal.
    return n > 1 ? { kind: 'status', status: 401, body: JSON.stringify({ error: `bad key ${headers.authorization}` }) } : undefined;
  });
  after(() => proxy.close());
  const engine = await remoteEngine(proxy.url, { apiKeyEnv: 'QUIPU_TEST_EMBED_KEY' }).catch((error: Error) => error);
  assert.ok(engine instanceof Error && /QUIPU_TEST_EMBED_KEY .* is not set/.test(engine.message), 'a named variable that is not set says so');
  process.env.QUIPU_TEST_EMBED_KEY = secret;
  try {
    const keyed = await remoteEngine(proxy.url, { apiKeyEnv: 'QUIPU_TEST_EMBED_KEY' });
    const indexDir = tempDir();
    const error = await keyed.index(corpus, { indexDir }).then(() => undefined, (failure: Error) => failure);
    assert.equal(seen, `Bearer ${secret}`);
    assert.ok(error);
    assert.match(error.message, /refused the request: HTTP 401/);
    assert.ok(!error.message.includes(secret) && error.message.includes('***'), error.message);
    for (const name of readdirSync(indexDir, { recursive: true }) as string[]) {
      const path = join(indexDir, name);
      if (statSync(path).isFile()) assert.ok(!readFileSync(path).includes(secret), `${name} holds no key`);
    }
    assert.ok(readFileSync(join(indexDir, 'embedder.json'), 'utf8').includes('"apiKeyEnv": "QUIPU_TEST_EMBED_KEY"'));
  } finally {
    delete process.env.QUIPU_TEST_EMBED_KEY;
  }
});
