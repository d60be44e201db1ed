/**
 * `quipu mcp` as an agent meets it: a client from the official SDK spawns the built CLI on a copy of
 * the fixture workspace (plus a near-copy of one function) with its own index home, and calls the
 * tools over stdio.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { copyFixture, ROOT, tempDir } from '../helpers';

interface Result {
  folder: string;
  path: string;
  start_line: number;
  end_line: number;
  symbol?: string;
  score: number;
  snippet: string;
}

/** The same logic as src/net/retry.ts's withRetry under other names: what `similar` should find. */
const NEAR_COPY = `/** Retries a request with growing pauses between tries. */
export async function retryWithBackoff<R>(task: () => Promise<R>, settings: { tries: number; initialMs: number; capMs: number }): Promise<R> {
  let failure: unknown;
  for (let n = 0; n < settings.tries; n++) {
    try {
      return await task();
    } catch (err) {
      failure = err;
      const pause = Math.min(settings.capMs, settings.initialMs * 2 ** n);
      await new Promise((done) => setTimeout(done, pause / 2 + Math.random() * (pause / 2)));
    }
  }
  throw failure;
}
`;

let folder: string;
let indexHome: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = '';

before(async () => {
  folder = copyFixture('corpus');
  mkdirSync(join(folder, 'src', 'http'));
  writeFileSync(join(folder, 'src', 'http', 'backoff.ts'), NEAR_COPY);
  indexHome = tempDir();
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin', 'quipu.js'), 'mcp', folder],
    env: { ...(process.env as Record<string, string>), QUIPU_INDEX_HOME: indexHome },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  client = new Client({ name: 'quipu-test', version: '1.0.0' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/**
 * The `status` tool polled until the deep tier, which follows each update in the background, is
 * complete: a wait on a condition the server reports, not a duration.
 */
async function deepTierComplete(): Promise<{ chunks: number; fast_chunks: number; deep_chunks: number }> {
  for (;;) {
    const [row] = ((await call('status', {})).structuredContent as { folders: { chunks: number; fast_chunks: number; deep_chunks: number; deep_tier: string }[] }).folders;
    if (row.deep_tier === 'complete') return row;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function resultsOf(result: CallToolResult): Result[] {
  assert.notEqual(result.isError, true, textOf(result));
  return (result.structuredContent as { results: Result[] }).results;
}

test('tools/list: search, similar, status and sync, each with input and output schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['search', 'similar', 'status', 'sync']);
  const search = tools.find((t) => t.name === 'search')!;
  const props = search.inputSchema.properties as Record<string, { type?: string; maximum?: number; minimum?: number; enum?: string[] }>;
  assert.deepEqual(search.inputSchema.required, ['query']);
  assert.equal(props.query.type, 'string');
  assert.equal(props.top_k.maximum, 50);
  assert.equal(props.top_k.minimum, 1);
  assert.deepEqual(props.mode.enum, ['hybrid', 'vector', 'lexical']);
  for (const name of ['include', 'exclude', 'types', 'folder', 'max_snippet_lines']) assert.ok(props[name], `search takes ${name}`);
  assert.deepEqual(tools.find((t) => t.name === 'similar')!.inputSchema.required, ['path']);
  for (const tool of tools) {
    assert.equal(tool.outputSchema?.type, 'object', `${tool.name} has an output schema`);
    assert.ok(tool.description && tool.description.length > 40, `${tool.name} says what it does`);
  }
  const resultProps = (search.outputSchema!.properties as { results: { items: { properties: Record<string, unknown> } } }).results.items.properties;
  for (const field of ['path', 'start_line', 'end_line', 'symbol', 'score', 'snippet', 'page']) assert.ok(resultProps[field], `a result has ${field}`);
});

test('sync indexes the folder with progress and returns the summary; status tells what the index holds', async () => {
  const progress: string[] = [];
  const result = (await client.callTool({ name: 'sync', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.message ?? '') })) as CallToolResult;
  assert.notEqual(result.isError, true, textOf(result));
  const [row] = (result.structuredContent as { folders: { ok: boolean; files_seen: number; chunks_total: number }[] }).folders;
  assert.equal(row.ok, true);
  assert.equal(row.files_seen, 6);
  assert.ok(row.chunks_total > 0);
  assert.ok(progress.length > 0, 'progress notifications arrived');
  assert.match(textOf(result), /up to date/);

  const status = await call('status', {});
  const [folderStatus] = (
    status.structuredContent as { folders: { files: number; chunks: number; writer: string; watching: boolean; pending_files: number; tiers: string; fast_chunks: number; deep_chunks: number; deep_tier: string }[] }
  ).folders;
  assert.equal(folderStatus.files, 6);
  assert.equal(folderStatus.chunks, row.chunks_total);
  // The default plan: the fast tier now, the deep tier behind it (wherever it stands by now).
  assert.equal(folderStatus.tiers, 'fast-deep');
  assert.equal(folderStatus.fast_chunks + folderStatus.deep_chunks, folderStatus.chunks);
  assert.ok(['running', 'waiting', 'incomplete', 'complete'].includes(folderStatus.deep_tier), folderStatus.deep_tier);
  // The searches below rank by the transformer's vectors, as before tiers.
  const deep = await deepTierComplete();
  assert.deepEqual([deep.fast_chunks, deep.deep_chunks], [0, deep.chunks]);
  assert.equal(folderStatus.writer, 'this server');
  assert.equal(folderStatus.watching, true);
});

test('search: a paraphrased query finds the right file first; ten results fit a compact text form', async () => {
  const result = await call('search', { query: 'keep user credentials safe before saving them' });
  const results = resultsOf(result);
  assert.equal(results[0].path, 'src/auth/password.ts');
  assert.ok(results[0].start_line >= 1 && results[0].end_line >= results[0].start_line);
  assert.ok(results.length > 1 && results[0].score >= results[1].score);
  const text = textOf(result);
  assert.match(text, /^\d+ result\(s\) for "keep user credentials safe before saving them" \(hybrid; score: fused score/);
  assert.match(text, /\n1\. src\/auth\/password\.ts:\d+-\d+ · \w+ · [01]\.\d{3}\n {4}\S/);

  const ten = await call('search', { query: 'how does it work', top_k: 10 });
  assert.equal(resultsOf(ten).length, 10);
  // ~4 characters per token: ten results in about 1,500 tokens.
  assert.ok(textOf(ten).length <= 6000, `${textOf(ten).length} characters`);
  const bare = await call('search', { query: 'how does it work', top_k: 10, max_snippet_lines: 0 });
  assert.ok(resultsOf(bare).every((r) => r.snippet === ''));
  assert.ok(textOf(bare).split('\n').length === 11, textOf(bare));

  const typed = resultsOf(await call('search', { query: 'time zones', types: ['md'], exclude: ['notes/**'] }));
  assert.deepEqual([...new Set(typed.map((r) => r.path))], ['docs/deploy.md']);
});

test('similar: a function finds its near-copy first, from the stored vectors', async () => {
  const result = await call('similar', { path: 'src/net/retry.ts', start_line: 15, end_line: 20 });
  const results = resultsOf(result);
  assert.equal(results[0].path, 'src/http/backoff.ts');
  assert.ok(results[0].score > 0.8, `cosine ${results[0].score}`);
  const source = (result.structuredContent as { source: { path: string; symbol?: string } }).source;
  assert.equal(source.path, 'src/net/retry.ts');
  assert.equal(source.symbol, 'withRetry');
  assert.ok(!results.some((r) => r.path === 'src/net/retry.ts' && r.symbol === 'withRetry'), 'not the source itself');
  assert.match(textOf(result), /chunk\(s\) like src\/net\/retry\.ts:\d+-\d+ · withRetry/);
});

test('a file changed on disk is found by its new content (the watcher and the bounded wait)', async () => {
  writeFileSync(join(folder, 'notes', 'pasta.txt'), 'Tuning a bicycle derailleur\n\nTurn the barrel adjuster a quarter turn at a time until the chain stops rattling on the rear cogs.\n');
  const query = 'adjust the gears on my bike';
  const deadline = Date.now() + 60_000;
  let top: Result | undefined;
  while (Date.now() < deadline) {
    top = resultsOf(await call('search', { query, top_k: 1 }))[0];
    if (top?.path === 'notes/pasta.txt' && top.snippet.includes('barrel adjuster')) break;
  }
  assert.equal(top?.path, 'notes/pasta.txt', stderr);
  // The new text, at the line that matched the query's words ("adjust" → adjuster), not the title.
  assert.match(top?.snippet ?? '', /^Turn the barrel adjuster/);
});

test('bad input: each a tool error, and the next call still works', async () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['search', { query: '' }, /query is empty/],
    ['search', { query: '   ' }, /query is empty/],
    ['search', {}, /query/],
    ['search', { query: 'x', top_k: 0 }, /top_k/],
    ['search', { query: 'x', top_k: 51 }, /top_k/],
    ['search', { query: 'x', mode: 'fuzzy' }, /mode/],
    ['search', { query: 'x', folder: '/etc' }, /not a folder this server serves/],
    ['similar', { path: '../../../etc/passwd' }, /outside the folders this server serves/],
    ['similar', { path: '/etc/passwd' }, /outside the folders this server serves/],
    ['similar', { path: 'src/nothing.ts' }, /not in the index/],
    ['similar', { path: 'src/net/retry.ts', start_line: 9000 }, /no indexed lines/],
    ['sync', { paths: ['/etc'] }, /outside the folders/],
    ['no_such_tool', {}, /not found/],
  ];
  for (const [name, args, message] of bad) {
    const result = await call(name, args);
    assert.equal(result.isError, true, `${name} ${JSON.stringify(args)} is an error`);
    assert.match(textOf(result), message);
    assert.equal(resultsOf(await call('search', { query: 'cooking', top_k: 1 })).length, 1, 'the server keeps serving');
  }
});

test('another process holds the index lock: sync says so, status names it, search reads what is committed', async () => {
  // The deep tier that followed the change above done first: the lock below stands for another process's, not this server's background run.
  await deepTierComplete();
  const [indexName] = readdirSync(indexHome);
  const lock = join(indexHome, indexName, 'index.lock');
  // A live process on this host (this test) owns the lock, as a VS Code window indexing would.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: (await import('node:os')).hostname(), since: new Date().toISOString() }));
  try {
    const synced = await call('sync', {});
    assert.equal(synced.isError, true);
    assert.match(textOf(synced), /being updated by another Quipu process/);
    const status = await call('status', {});
    const [row] = (status.structuredContent as { folders: { writer: string; writer_note?: string }[] }).folders;
    assert.equal(row.writer, 'another process');
    assert.match(row.writer_note ?? '', /searches what it commits/);
    const found = await call('search', { query: 'keep user credentials safe before saving them', top_k: 1 });
    assert.equal(resultsOf(found)[0].path, 'src/auth/password.ts');
    assert.match(textOf(found), /another Quipu process is writing this index/);
  } finally {
    rmSync(lock, { force: true });
  }
  const again = await call('sync', {});
  assert.notEqual(again.isError, true, textOf(again));
});

test('several folders (--tiers deep): one server, one ranking; results name their folder; a folder can be picked by name', async () => {
  const docs = copyFixture('corpus');
  rmSync(join(docs, 'src'), { recursive: true });
  const code = copyFixture('corpus');
  for (const path of ['docs', 'notes']) rmSync(join(code, path), { recursive: true });
  const two = new Client({ name: 'quipu-test-2', version: '1.0.0' });
  await two.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, 'bin', 'quipu.js'), 'mcp', docs, code, '--no-watch', '--tiers', 'deep'],
      env: { ...(process.env as Record<string, string>), QUIPU_INDEX_HOME: tempDir() },
      stderr: 'ignore',
    }),
  );
  try {
    const synced = (await two.callTool({ name: 'sync', arguments: {} })) as CallToolResult;
    assert.deepEqual((synced.structuredContent as { folders: { ok: boolean }[] }).folders.map((f) => f.ok), [true, true], textOf(synced));
    const found = (await two.callTool({ name: 'search', arguments: { query: 'keep user credentials safe before saving them', top_k: 5 } })) as CallToolResult;
    const results = resultsOf(found);
    assert.equal(results[0].path, 'src/auth/password.ts');
    assert.equal(results[0].folder, basename(code));
    assert.ok(results.some((r) => r.folder === basename(docs)), 'both folders answer');
    assert.match(textOf(found), new RegExp(`\\n1\\. \\[${basename(code)}\\] src/auth/password\\.ts:`));
    const onlyDocs = resultsOf((await two.callTool({ name: 'search', arguments: { query: 'keep user credentials safe before saving them', folder: basename(docs) } })) as CallToolResult);
    assert.ok(onlyDocs.length > 0 && onlyDocs.every((r) => r.folder === basename(docs)));
    const status = (await two.callTool({ name: 'status', arguments: {} })) as CallToolResult;
    const rows = (status.structuredContent as { folders: { folder: string; watching: boolean; tiers: string; fast_chunks: number; deep_tier: string }[] }).folders;
    assert.deepEqual(rows.map((r) => [r.folder, r.watching]), [[basename(docs), false], [basename(code), false]]);
    // `--tiers deep`: the transformer alone, so nothing waits behind the sync.
    assert.deepEqual(rows.map((r) => [r.tiers, r.fast_chunks, r.deep_tier]), [['deep', 0, 'complete'], ['deep', 0, 'complete']]);
  } finally {
    await two.close();
  }
});

test('initialize and tools/list answer; a malformed request is answered with an error; closing stdin ends the process', async () => {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'quipu.js'), 'mcp', copyFixture('corpus')], {
    env: { ...process.env, QUIPU_INDEX_HOME: tempDir() },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: { test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  child.stdout.on('data', (data: Buffer) => {
    out += data.toString();
    let nl;
    while ((nl = out.indexOf('\n')) >= 0) {
      const message = JSON.parse(out.slice(0, nl)) as Record<string, unknown>; // stdout holds protocol only
      out = out.slice(nl + 1);
      lines.push(message);
      for (const w of [...waiters]) {
        if (!w.test(message)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  const reply = (id: number) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ test: (m) => m.id === id, resolve }));
  const send = (message: unknown) => child.stdin.write(JSON.stringify(message) + '\n');
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  const init = await reply(1);
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, 'quipu');
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  child.stdin.write('this is not json\n');
  send({ jsonrpc: '2.0', id: 2, method: 'no/such/method' });
  assert.ok((await reply(2)).error, 'an unknown method is an error reply');
  send({ jsonrpc: '2.0', id: 3, method: 'tools/list' });
  assert.equal(((await reply(3)).result as { tools: unknown[] }).tools.length, 4);
  send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'search', arguments: { query: 'pasta' } } });
  await reply(4);
  child.stdin.end();
  const { code, signal } = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0, 'a clean exit, not the forced one');
});
