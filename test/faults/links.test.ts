/**
 * Hostile repositories, by links and by the index's embedder record (issue 22, F1 F3 F4 F5). Each case
 * asserts the safe outcome and that nothing already indexed is lost:
 * - links made in a watched folder (to a file outside, to a folder outside, an indexed file replaced by
 *   a link to a passwd file) are never read, by the real `quipu mcp` watcher, by the changed paths the
 *   extension reports, or by a read racing a swap to a link;
 * - an `embedder.json` planted inside the tree is not followed when the folder and the index folder are
 *   spelled through different links;
 * - `quipu mcp` on a remote-built index uses that embedder (never a silent local rebuild), and refuses,
 *   naming the index, when the record lies inside the tree;
 * - a damaged `embedder.json` names itself and what to do; `verify` reports it, `--repair` rewrites it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { QuipuEngine } from '../../src/core/engine/engine';
import { nodeFileHost, type FileHost } from '../../src/core/files/host';
import { copyFixture, ROOT, tempDir, testConfig, testEngine } from '../helpers';
import { assertConsistent, runQuipu, verify } from './helpers';

/** Hermetic: no machine-wide vector cache (counts of requests mean this run's work). */
const NO_CACHE = { QUIPU_VECTOR_CACHE: 'off' };

const SECRET = 'The outside secret: a zebra named Quagmire guards the vault of the lighthouse keeper.\n';
const PASSWD = 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';

/** A folder outside the indexed one, holding what no index may ever read. */
function outsideFolder(): string {
  const outside = tempDir('quipu-outside-');
  writeFileSync(join(outside, 'secret.txt'), SECRET);
  writeFileSync(join(outside, 'passwd'), PASSWD);
  writeFileSync(join(outside, 'pasta.txt'), 'Outside pasta: the zebra Quagmire eats linguine in the vault.\n');
  return outside;
}

/** The catalog's paths (what the index holds). */
function catalogPaths(indexDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number };
  return Object.keys(JSON.parse(readFileSync(join(indexDir, `catalog.g${manifest.catalogGeneration}.json`), 'utf8')) as Record<string, unknown>).sort();
}

const CORPUS_FILES = ['docs/deploy.md', 'notes/pasta.txt', 'src/auth/password.ts', 'src/net/retry.ts', 'src/util/dates.py'];

interface Result {
  folder: string;
  path: string;
  snippet: string;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

async function mcpClient(args: string[], env: Record<string, string>): Promise<{ client: Client; stderr: () => string }> {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin', 'quipu.js'), 'mcp', ...args],
    env: { ...(process.env as Record<string, string>), ...NO_CACHE, ...env },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const client = new Client({ name: 'quipu-links-test', version: '1.0.0' });
  await client.connect(transport);
  after(() => client.close());
  return { client, stderr: () => stderr };
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function search(client: Client, query: string, topK = 10): Promise<Result[]> {
  const result = await call(client, 'search', { query, top_k: topK });
  assert.notEqual(result.isError, true, textOf(result));
  return (result.structuredContent as { results: Result[] }).results;
}

test('F1: links made in a folder `quipu mcp` watches are never read; what was indexed stays', async () => {
  const folder = copyFixture('corpus');
  const outside = outsideFolder();
  writeFileSync(join(folder, 'notes', 'replaced.txt'), 'Knitting notes: cast on forty stitches of merino wool for the scarf.\n');
  const indexHome = tempDir();
  const { client, stderr } = await mcpClient([folder], { QUIPU_INDEX_HOME: indexHome });
  const synced = await call(client, 'sync', {});
  assert.notEqual(synced.isError, true, textOf(synced));
  const [indexName] = readdirSync(indexHome);
  const indexDir = join(indexHome, indexName);
  assert.deepEqual(catalogPaths(indexDir), [...CORPUS_FILES, 'notes/replaced.txt'].sort());

  // The attack: a link to a file outside, a link to a folder outside, an indexed file replaced by a
  // link to a passwd file; and a link inside to a file inside (the full walk does not follow it either).
  symlinkSync(join(outside, 'secret.txt'), join(folder, 'leak.txt'));
  symlinkSync(outside, join(folder, 'linkdir'));
  unlinkSync(join(folder, 'notes', 'replaced.txt'));
  symlinkSync(join(outside, 'passwd'), join(folder, 'notes', 'replaced.txt'));
  symlinkSync(join(folder, 'docs', 'deploy.md'), join(folder, 'alias.md'));
  // Then a real file: once the watcher's update has indexed it, it has seen the links too.
  writeFileSync(join(folder, 'notes', 'sentinel.md'), '# Sentinel\n\nA heron stands in the shallow reeds at dawn, waiting for fish.\n');
  const deadline = Date.now() + 60_000;
  let top: Result | undefined;
  while (Date.now() < deadline && top?.path !== 'notes/sentinel.md') top = (await search(client, 'heron waiting in the reeds for fish', 1))[0];
  assert.equal(top?.path, 'notes/sentinel.md', stderr());

  const leaks = async () => {
    for (const query of ['zebra named Quagmire guards the vault', 'root:x:0:0 root /bin/bash', 'zebra eats linguine']) {
      for (const r of await search(client, query)) {
        assert.doesNotMatch(r.snippet, /Quagmire|root:x:0:0/, `${r.path} serves text from outside the folder`);
        assert.ok(!/^(leak\.txt|linkdir\/|alias\.md$|notes\/replaced\.txt$)/.test(r.path), `${r.path} was read through a link`);
      }
    }
  };
  await leaks();
  // The tool's own path checks refuse the links out; a full pass (what `sync` runs) agrees with the watcher.
  for (const path of ['leak.txt', 'linkdir/secret.txt', 'notes/replaced.txt']) {
    const refused = await call(client, 'sync', { paths: [path] });
    assert.equal(refused.isError, true, `${path}: ${textOf(refused)}`);
    assert.match(textOf(refused), /outside the folders this server serves/);
  }
  const full = await call(client, 'sync', {});
  assert.notEqual(full.isError, true, textOf(full));
  await leaks();

  // Nothing indexed before is lost: every file of the folder is still found by its content.
  assert.deepEqual(catalogPaths(indexDir), [...CORPUS_FILES, 'notes/sentinel.md'].sort());
  assert.equal((await search(client, 'keep user credentials safe before saving them', 1))[0].path, 'src/auth/password.ts');
  await assertConsistent(folder, indexDir, NO_CACHE);
});

test("F1: the extension's changed paths (links out, a link inside, a path below a link) read nothing through a link", async () => {
  const engine = await testEngine();
  const folder = copyFixture('corpus');
  const outside = outsideFolder();
  const indexDir = tempDir();
  await engine.index(folder, { indexDir });
  symlinkSync(join(outside, 'secret.txt'), join(folder, 'leak.txt'));
  symlinkSync(outside, join(folder, 'linkdir'));
  symlinkSync(join(folder, 'docs', 'deploy.md'), join(folder, 'alias.md'));
  // An indexed file replaced by a link, and an indexed folder replaced by a link to one outside.
  rmSync(join(folder, 'notes', 'pasta.txt'));
  symlinkSync(join(outside, 'passwd'), join(folder, 'notes', 'pasta.txt'));
  renameSync(join(folder, 'src', 'util'), join(folder, 'util-moved'));
  symlinkSync(outside, join(folder, 'src', 'util'));
  // What VS Code's watcher reports for these changes (creations, the folder, paths below the link).
  const paths = ['leak.txt', 'linkdir', 'linkdir/secret.txt', 'alias.md', 'notes/pasta.txt', 'src/util', 'src/util/pasta.txt', 'src/util/dates.py'];
  const summary = await engine.index(folder, { indexDir, paths });
  assert.equal(summary.filesIndexed, 0, JSON.stringify(summary.skipped));
  const held = catalogPaths(indexDir);
  assert.deepEqual(held, ['docs/deploy.md', 'src/auth/password.ts', 'src/net/retry.ts']);
  for (const query of ['zebra named Quagmire guards the vault', 'root:x:0:0 /bin/bash', 'zebra eats linguine']) {
    for (const r of await engine.search(folder, query, { indexDir })) assert.doesNotMatch(r.snippet, /Quagmire|root:x:0:0/, r.path);
  }
  // The full walk holds the same files, so a full pass changes nothing: one rule for both ways.
  const again = await engine.index(folder, { indexDir });
  assert.deepEqual([again.filesIndexed, again.filesRemoved], [1, 0], 'only the moved folder, a real one, is new');
  assert.deepEqual(catalogPaths(indexDir), [...held, 'util-moved/dates.py'].sort());
  const { report } = await engine.verify(folder, { indexDir });
  assert.equal(report.ok, true, JSON.stringify(report));
});

test('F1: a file replaced by a link, or its folder by a link out, between discovery and reading is not read', async () => {
  const folder = copyFixture('corpus');
  const outside = outsideFolder();
  mkdirSync(join(outside, 'auth'));
  writeFileSync(join(outside, 'auth', 'password.ts'), `export const leaked = ${JSON.stringify(SECRET)};\n`);
  // Discovery has stat-ed the files; now, before each read, a link takes a file's or a folder's place.
  const host: FileHost = {
    ...nodeFileHost,
    async readFile(absPath, expected) {
      if (absPath.endsWith(join('notes', 'pasta.txt'))) {
        rmSync(absPath);
        symlinkSync(join(outside, 'pasta.txt'), absPath);
      }
      if (absPath.endsWith(join('src', 'auth', 'password.ts'))) {
        renameSync(dirname(absPath), join(folder, 'auth-real'));
        symlinkSync(join(outside, 'auth'), dirname(absPath));
      }
      return nodeFileHost.readFile(absPath, expected);
    },
  };
  // One pass, so one walk: the race is between a discovery and its reads (a second pass would walk the moved folder as the real one it now is).
  const engine = await QuipuEngine.create(testConfig({ tiers: 'deep' }), { host });
  after(() => engine.close());
  const indexDir = tempDir();
  const summary = await engine.index(folder, { indexDir });
  for (const path of ['notes/pasta.txt', 'src/auth/password.ts']) {
    assert.match(summary.skipped.find((s) => s.path === path)?.reason ?? '', /symbolic link/, `${path}: ${JSON.stringify(summary.skipped)}`);
  }
  assert.deepEqual(catalogPaths(indexDir), ['docs/deploy.md', 'src/net/retry.ts', 'src/util/dates.py']);
  for (const r of await engine.search(folder, 'zebra named Quagmire in the vault', { indexDir })) assert.doesNotMatch(r.snippet, /Quagmire/, r.path);
});

/** An HTTP server that records every request and answers none usefully: where a planted record would send code. */
async function trap(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${body.slice(0, 200)}`);
      res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, requests };
}

test('F3: an embedder.json planted in the tree is not followed when the folder and the index are spelled through different links', async () => {
  const { url, requests } = await trap();
  const base = tempDir('quipu-real-');
  const alias = join(tempDir('quipu-alias-'), 'tmp');
  symlinkSync(base, alias); // as /tmp → /private/tmp on macOS
  const real = join(base, 'repo');
  mkdirSync(real);
  const viaAlias = join(alias, 'repo');
  for (const path of CORPUS_FILES) {
    mkdirSync(dirname(join(real, path)), { recursive: true });
    writeFileSync(join(real, path), readFileSync(join(ROOT, 'test', 'fixtures', 'corpus', path)));
  }
  const indexDir = join(real, '.qidx');
  const env = { ...NO_CACHE, QUIPU_INDEX_HOME: tempDir() };
  const first = await runQuipu(['index', viaAlias, '--index-dir', indexDir, '--json'], { env });
  assert.equal(first.code, 0, first.stderr);
  // The repository's own commit plants a record naming a URL.
  writeFileSync(join(indexDir, 'embedder.json'), JSON.stringify({ remote: { provider: 'openai', url, model: 'exfil' } }));
  const second = await runQuipu(['index', viaAlias, '--index-dir', indexDir, '--json'], { env });
  assert.equal(second.code, 0, second.stderr);
  const found = await runQuipu(['search', 'keep user credentials safe before saving them', '--folder', viaAlias, '--index-dir', indexDir, '--json'], { env });
  assert.equal(found.code, 0, found.stderr);
  assert.deepEqual(requests, [], 'nothing was sent to the planted URL');
  assert.equal((JSON.parse(found.stdout) as { path: string }[])[0].path, 'src/auth/password.ts');
  // Nothing lost (the second run found every file unchanged), and the index's own files are not indexed.
  const summary = JSON.parse(second.stdout) as { filesUnchanged: number; filesIndexed: number; rebuildReason?: string };
  assert.deepEqual([summary.filesUnchanged, summary.filesIndexed, summary.rebuildReason], [CORPUS_FILES.length, 0, undefined]);
  assert.deepEqual(catalogPaths(indexDir), CORPUS_FILES);
  assert.deepEqual(JSON.parse(readFileSync(join(indexDir, 'embedder.json'), 'utf8')), {}, 'the record names the embedder that ran');
});

/** An OpenAI-compatible embeddings server on loopback, embedding with the bundled model (a real one). */
async function embeddingServer(): Promise<{ url: string; model: string; requests: () => number }> {
  const engine = await testEngine();
  let requests = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      void (async () => {
        requests++;
        const { input, model } = JSON.parse(body) as { input: string[]; model: string };
        const vectors = await engine.embed(input);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', model, data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: Array.from(v) })) }));
      })().catch((error: Error) => res.writeHead(500).end(error.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'minilm-served', requests: () => requests };
}

test('F4: `quipu mcp` on a remote-built index uses that embedder, never rebuilds it locally; with the record inside the tree it refuses, naming the index', async () => {
  const server = await embeddingServer();
  const folder = copyFixture('corpus');
  const indexHome = tempDir();
  const indexed = await runQuipu(['index', folder, '--embed-url', server.url, '--embed-model', server.model, '--json'], { env: { ...NO_CACHE, QUIPU_INDEX_HOME: indexHome } });
  assert.equal(indexed.code, 0, indexed.stderr);
  const indexDir = join(indexHome, readdirSync(indexHome)[0]);
  const record = readFileSync(join(indexDir, 'embedder.json'), 'utf8');
  const embedded = server.requests();

  const { client, stderr } = await mcpClient([folder], { QUIPU_INDEX_HOME: indexHome });
  const synced = await call(client, 'sync', {});
  assert.notEqual(synced.isError, true, textOf(synced) + stderr());
  const [row] = (synced.structuredContent as { folders: { ok: boolean; files_indexed?: number; rebuild_reason?: string }[] }).folders;
  assert.equal(row.ok, true);
  assert.doesNotMatch(textOf(synced), /rebuil/i);
  const status = await call(client, 'status', {});
  const [folderStatus] = (status.structuredContent as { folders: { model: string; files: number }[] }).folders;
  assert.match(folderStatus.model, new RegExp(`^openai@127\\.0\\.0\\.1:\\d+/${server.model}$`));
  assert.equal(folderStatus.files, CORPUS_FILES.length);
  assert.equal((await search(client, 'keep user credentials safe before saving them', 1))[0].path, 'src/auth/password.ts');
  assert.ok(server.requests() > embedded, 'the query was embedded by the remote server');
  assert.equal(readFileSync(join(indexDir, 'embedder.json'), 'utf8'), record, 'the record is unchanged');

  // The same, with the index (and so its record) inside the served folder: refused, nothing rewritten.
  const inside = copyFixture('corpus');
  const insideHome = join(inside, '.quipu-indexes');
  const insideIndexed = await runQuipu(['index', inside, '--embed-url', server.url, '--embed-model', server.model, '--json'], { env: { ...NO_CACHE, QUIPU_INDEX_HOME: insideHome } });
  assert.equal(insideIndexed.code, 0, insideIndexed.stderr);
  const insideIndex = join(insideHome, readdirSync(insideHome)[0]);
  const manifestBefore = readFileSync(join(insideIndex, 'manifest.json'), 'utf8');
  const second = await mcpClient([inside], { QUIPU_INDEX_HOME: insideHome });
  const refused = await call(second.client, 'search', { query: 'keep user credentials safe' });
  assert.equal(refused.isError, true, textOf(refused));
  assert.ok(textOf(refused).includes(insideIndex), textOf(refused));
  assert.ok(textOf(refused).includes(server.url), textOf(refused));
  assert.match(textOf(refused), /not rebuilt/);
  assert.equal(readFileSync(join(insideIndex, 'manifest.json'), 'utf8'), manifestBefore, 'the index is not rebuilt');
  assert.match(readFileSync(join(insideIndex, 'embedder.json'), 'utf8'), new RegExp(server.model));
});

test('F5: a damaged embedder.json names itself and what to do; verify reports it; --repair rewrites it and keeps the index', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const env = { ...NO_CACHE, QUIPU_INDEX_HOME: tempDir() };
  assert.equal((await runQuipu(['index', folder, '--index-dir', indexDir], { env })).code, 0);
  const recordFile = join(indexDir, 'embedder.json');
  writeFileSync(recordFile, '{"remote');
  for (const args of [['search', 'pasta', '--folder', folder, '--index-dir', indexDir], ['index', folder, '--index-dir', indexDir], ['status', folder, '--index-dir', indexDir]]) {
    const run = await runQuipu(args, { env });
    assert.equal(run.code, 1, `${args[0]}: ${run.stderr}`);
    assert.ok(run.stderr.includes(`${recordFile} is damaged`), `${args[0]} names the file: ${run.stderr}`);
    assert.match(run.stderr, /Delete it .* --embed-url/);
  }
  const checked = await verify(folder, indexDir, false, env);
  assert.equal(checked.code, 1);
  assert.equal(checked.report.ok, false);
  assert.deepEqual(checked.report.damaged.map((d) => d.file), ['embedder.json']);
  assert.match(checked.report.damaged[0].problem, /not valid JSON/);
  const printed = await runQuipu(['verify', folder, '--index-dir', indexDir], { env });
  assert.match(printed.stdout, /damaged\s+embedder\.json: not valid JSON/);

  const repaired = await verify(folder, indexDir, true, env);
  assert.equal(repaired.report.ok, true, JSON.stringify(repaired.report));
  assert.deepEqual(JSON.parse(readFileSync(recordFile, 'utf8')), {});
  const report = await assertConsistent(folder, indexDir, env);
  assert.equal(report.files, CORPUS_FILES.length, 'nothing indexed was lost');
  const found = await runQuipu(['search', 'keep user credentials safe before saving them', '--folder', folder, '--index-dir', indexDir, '--json'], { env });
  assert.equal((JSON.parse(found.stdout) as { path: string }[])[0].path, 'src/auth/password.ts');
});
