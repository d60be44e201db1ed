/**
 * Hostile patterns and queries (issue 22: F2, F10, F11, F12), through the CLI and the MCP server as a
 * user and an agent meet them. Each run must finish with the safe outcome, and what the index already
 * holds must stay: `quipu verify` is the oracle. Nothing here measures time: a run that did not
 * finish would fail the test by never returning.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_FILE_SETTINGS } from '../../src/core/config/config';
import { discoverFiles, discoverPaths, type DiscoveryEvent, type PathEvent } from '../../src/core/files/discover';
import { nodeFileHost, type ExpectedFile } from '../../src/core/files/host';
import { ROOT, tempDir } from '../helpers';
import { assertConsistent, indexJson, openParents, runQuipu } from './helpers';

/** Exponential for a backtracking RegExp against a name of many `a`s (the `ignore` package took hours). */
const HOSTILE = 'a*a*a*a*a*a*b';
const LONG_A = 'a'.repeat(200);

function catalogOf(indexDir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number };
  return Object.keys(JSON.parse(readFileSync(join(indexDir, `catalog.g${manifest.catalogGeneration}.json`), 'utf8')) as object).sort();
}

function hostileFolder(): string {
  const folder = tempDir('quipu-patterns-');
  writeFileSync(join(folder, '.gitignore'), `${HOSTILE}\n${HOSTILE}.md\n`);
  writeFileSync(join(folder, 'tomatoes.md'), '# Tomatoes\n\nGrowing tomatoes in a greenhouse over the winter.\n');
  // Not matched by either line: the case a backtracking matcher never finishes.
  writeFileSync(join(folder, `${LONG_A}.md`), '# Long name\n\nA note about kites and the wind, under a very long name.\n');
  mkdirSync(join(folder, LONG_A));
  writeFileSync(join(folder, LONG_A, 'inside.md'), '# Inside\n\nA note about lanterns inside a folder with a long name.\n');
  // Matched: ignored.
  writeFileSync(join(folder, `${'a'.repeat(199)}b.md`), '# Ignored\n\nThis note must not be indexed.\n');
  return folder;
}

test('F2: a gitignore line with many stars against a 200-character name: index, verify and search finish, as git would judge', async () => {
  const folder = hostileFolder();
  const indexDir = tempDir();
  const { summary } = await indexJson(folder, indexDir);
  assert.equal(summary.filesIndexed, 4, JSON.stringify(summary));
  assert.deepEqual(catalogOf(indexDir), ['.gitignore', `${LONG_A}.md`, `${LONG_A}/inside.md`, 'tomatoes.md']);
  await assertConsistent(folder, indexDir);

  // The same shape as a search glob (`--glob`, include and exclude): matched per path, finishing.
  const search = async (...globs: string[]) => {
    const run = await runQuipu(['search', 'kites lanterns tomatoes', '--folder', folder, '--index-dir', indexDir, '--mode', 'lexical', '--json', ...globs.flatMap((g) => ['--glob', g])]);
    assert.equal(run.code, 0, run.stderr);
    return [...new Set((JSON.parse(run.stdout) as { path: string }[]).map((r) => r.path))].sort();
  };
  assert.deepEqual(await search(`${HOSTILE}*`), []);
  assert.deepEqual(await search(`**/${HOSTILE}*`), []);
  assert.deepEqual(await search(`!${HOSTILE}*`), [`${LONG_A}.md`, `${LONG_A}/inside.md`, 'tomatoes.md']);
  assert.deepEqual(await search('a*a*a*a*a*a*a.md'), [`${LONG_A}.md`]);
  // Settings' excludes and includes (quipu.exclude, files.exclude, search.exclude, quipu.include) go
  // through the same matchers.
  const found: string[] = [];
  const settings = { ...DEFAULT_FILE_SETTINGS, exclude: [HOSTILE, `${HOSTILE}/`], include: [`**/${HOSTILE}*`, '**/*.md'] };
  for await (const event of discoverFiles(folder, nodeFileHost, settings)) if (event.kind === 'file') found.push(event.file.path);
  assert.deepEqual(found.sort(), [`${LONG_A}.md`, `${LONG_A}/inside.md`, 'tomatoes.md']);
  await assertConsistent(folder, indexDir);
});

/** One `quipu mcp` over stdio, spoken to in JSON-RPC lines; `exited` resolves when the process ends. */
function mcpServer(folder: string, indexHome: string) {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'quipu.js'), 'mcp', folder, '--no-watch'], {
    env: { ...process.env, QUIPU_INDEX_HOME: indexHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  let buffered = '';
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id !== undefined) waiting.get(message.id)?.(message);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let nextId = 1;
  const request = (method: string, params: unknown) =>
    new Promise<{ result?: unknown; error?: { message: string } }>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const callTool = async (name: string, args: Record<string, unknown>) => {
    const { result, error } = await request('tools/call', { name, arguments: args });
    assert.equal(error, undefined, `${name}: ${error?.message} ${stderr}`);
    return result as { isError?: boolean; content: { type: string; text: string }[]; structuredContent?: { results?: { path: string }[] } };
  };
  return {
    async start() {
      const { error } = await request('initialize', { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'faults', version: '1' } });
      assert.equal(error, undefined);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    },
    callTool,
    closeStdin: () => child.stdin.end(),
    exited,
    stderr: () => stderr,
  };
}

test('F2, F12: the MCP server indexes the hostile folder, answers hostile globs, refuses a 5 MB query without echoing it, and exits when stdin closes', async () => {
  const folder = hostileFolder();
  const indexHome = tempDir();
  const server = mcpServer(folder, indexHome);
  await server.start();
  const synced = await server.callTool('sync', {});
  assert.ok(!synced.isError, JSON.stringify(synced));
  const found = await server.callTool('search', { query: 'kites', mode: 'lexical', include: [`**/${HOSTILE}*`, `${HOSTILE}.md`] });
  assert.ok(!found.isError, JSON.stringify(found));
  assert.deepEqual(found.structuredContent?.results, []);
  const kept = await server.callTool('search', { query: 'kites', mode: 'lexical', exclude: [`**/${HOSTILE}*`] });
  assert.ok(kept.structuredContent?.results?.some((r) => r.path === `${LONG_A}.md`), JSON.stringify(kept.structuredContent));

  // 5.4 MB: the SDK's stdio transport drops the connection on a message over 10 MB before we see it.
  const huge = await server.callTool('search', { query: 'where is the kite?'.repeat(300_000) });
  assert.equal(huge.isError, true);
  const text = huge.content.map((c) => c.text).join('\n');
  assert.match(text, /5,400,000 characters long; a query may be at most 2,000/);
  assert.ok(text.length < 1000, `the answer does not repeat the query (${text.length} characters)`);
  // Still answering after it.
  const after = await server.callTool('search', { query: 'greenhouse tomatoes', mode: 'lexical' });
  assert.ok(after.structuredContent?.results?.some((r) => r.path === 'tomatoes.md'));

  server.closeStdin();
  assert.equal(await server.exited, 0, server.stderr());
});

test('F12: the CLI refuses an overlong query, naming its length, and the index is untouched', async () => {
  const folder = hostileFolder();
  const indexDir = tempDir();
  await indexJson(folder, indexDir);
  const before = catalogOf(indexDir);
  const run = await runQuipu(['search', 'kites;'.repeat(20_000), '--folder', folder, '--index-dir', indexDir]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /120,000 characters long; a query may be at most 2,000/);
  assert.ok(run.stderr.length < 1000, 'the message does not repeat the query');
  assert.equal(run.stdout, '');
  const fits = await runQuipu(['search', 'kites '.repeat(300).trim(), '--folder', folder, '--index-dir', indexDir, '--mode', 'lexical', '--json']);
  assert.equal(fits.code, 0, fits.stderr);
  assert.deepEqual(catalogOf(indexDir), before);
  await assertConsistent(folder, indexDir);
});

test('F11: --json escapes C1 and bidi controls, so a terminal shows them inert and a parser reads them exact', async () => {
  const folder = tempDir('quipu-json-');
  const hostile = 'Lighthouse keeper robot notes \u009b31m red \u202Etxt.exe\u202C \u2066iso\u2069 \u200Fmark \x7f end';
  writeFileSync(join(folder, 'robot.txt'), `${hostile}\n`.repeat(3));
  writeFileSync(join(folder, 'name-\u202Etxt.md'), `# Named\n\n${hostile}\n`);
  const indexDir = tempDir();
  const { run: indexed } = await indexJson(folder, indexDir);
  assert.doesNotMatch(indexed.stdout, /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
  const run = await runQuipu(['search', 'lighthouse keeper robot', '--folder', folder, '--index-dir', indexDir, '--mode', 'lexical', '--json']);
  assert.equal(run.code, 0, run.stderr);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(run.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/, 'no raw control on the terminal');
  assert.match(run.stdout, /\\u009b31m/);
  const results = JSON.parse(run.stdout) as { path: string; snippet: string }[];
  assert.ok(results.some((r) => r.path === 'name-\u202Etxt.md'), 'the name reads back exact');
  assert.ok(results.some((r) => r.snippet.includes(hostile)), 'the snippet reads back exact');
  await assertConsistent(folder, indexDir);
});

test('F10: an unreadable ignore file fails closed: its folder is skipped, the run names the file, what was indexed there stays', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to switch to nobody (root reads any file)');
  openParents(t);
  const base = tempDir('quipu-ignore-perm-');
  chmodSync(base, 0o755);
  const folder = join(base, 'repo');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  writeFileSync(join(folder, 'top.md'), '# Top\n\nA note about hedgehogs in the garden.\n');
  writeFileSync(join(folder, 'sub', '.quipuignore'), '*.secret\n');
  writeFileSync(join(folder, 'sub', 'kept.md'), '# Kept\n\nA note about owls at night.\n');
  writeFileSync(join(folder, 'sub', 'key.secret'), 'The password is swordfish and the vault code is 4471.\n');
  for (const path of ['', 'sub']) chmodSync(join(folder, path), 0o755);
  for (const path of ['top.md', 'sub/.quipuignore', 'sub/kept.md', 'sub/key.secret']) chmodSync(join(folder, path), 0o644);
  const indexDir = join(base, 'index');
  mkdirSync(indexDir);
  chmodSync(indexDir, 0o777);
  const as = { asUser: '65534', env: { HOME: indexDir, XDG_CACHE_HOME: indexDir } };
  await indexJson(folder, indexDir, [], as);
  const indexed = ['sub/.quipuignore', 'sub/kept.md', 'top.md'];
  assert.deepEqual(catalogOf(indexDir), indexed);

  // The ignore file can no longer be read, and a new secret appears beside it.
  writeFileSync(join(folder, 'sub', 'new.secret'), 'Another password: marlin.\n');
  chmodSync(join(folder, 'sub', 'new.secret'), 0o644);
  chmodSync(join(folder, 'sub', '.quipuignore'), 0o000);
  const { summary } = await indexJson(folder, indexDir, [], as);
  const reason = summary.skipped.find((s) => s.path === 'sub/.quipuignore')?.reason ?? '';
  assert.match(reason, /unreadable ignore file sub\/\.quipuignore \(EACCES\): sub is not indexed until it can be read; what the index holds there is kept/);
  assert.equal(summary.filesRemoved, 0);
  assert.deepEqual(catalogOf(indexDir), indexed, 'no secret indexed, nothing indexed lost');
  const verified = await runQuipu(['verify', folder, '--index-dir', indexDir, '--json'], as);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);

  // At the top: the whole folder waits, and its index stays whole.
  writeFileSync(join(folder, '.gitignore'), '*.secret\n');
  chmodSync(join(folder, '.gitignore'), 0o000);
  const top = await indexJson(folder, indexDir, [], as);
  assert.match(top.summary.skipped.find((s) => s.path === '.gitignore')?.reason ?? '', /unreadable ignore file \.gitignore \(EACCES\): the folder is not indexed/);
  assert.equal(top.summary.filesRemoved, 0);
  assert.deepEqual(catalogOf(indexDir), indexed);

  // Readable again: the rules apply and the secrets stay out.
  chmodSync(join(folder, '.gitignore'), 0o644);
  chmodSync(join(folder, 'sub', '.quipuignore'), 0o644);
  await indexJson(folder, indexDir, [], as);
  assert.deepEqual(catalogOf(indexDir), ['.gitignore', ...indexed]);
});

test('F10 in the walk and the changed-paths discovery: a host that cannot read an ignore file keeps its folder out and says so', async () => {
  const folder = tempDir('quipu-ignore-host-');
  mkdirSync(join(folder, 'sub', 'deep'), { recursive: true });
  writeFileSync(join(folder, 'top.md'), 'top');
  writeFileSync(join(folder, 'sub', '.quipuignore'), '*.secret\n');
  writeFileSync(join(folder, 'sub', 'deep', 'key.secret'), 'swordfish');
  writeFileSync(join(folder, 'sub', 'deep', 'note.md'), 'note');
  // EIO where root would read anyway: the same answer as EACCES for an unprivileged user.
  const host = {
    ...nodeFileHost,
    readFile: (absPath: string, expected?: ExpectedFile) =>
      absPath === join(folder, 'sub', '.quipuignore') ? Promise.reject(Object.assign(new Error('i/o error'), { code: 'EIO' })) : nodeFileHost.readFile(absPath, expected),
  };
  const walked: DiscoveryEvent[] = [];
  for await (const event of discoverFiles(folder, host, DEFAULT_FILE_SETTINGS)) walked.push(event);
  assert.deepEqual(
    walked.map((e) => (e.kind === 'file' ? e.file.path : [e.path, e.keepUnder])),
    [['sub/.quipuignore', 'sub'], 'top.md'],
  );
  const under: PathEvent[] = [];
  for await (const event of discoverFiles(folder, host, DEFAULT_FILE_SETTINGS, { under: 'sub/deep' })) under.push(event);
  assert.deepEqual(under.map((e) => e.kind === 'skip' && e.keepUnder), ['sub/deep']);
  const changed: PathEvent[] = [];
  for await (const event of discoverPaths(folder, host, DEFAULT_FILE_SETTINGS, ['sub/deep/key.secret', 'sub/deep/note.md', 'top.md'])) changed.push(event);
  assert.deepEqual(
    changed.map((e) => (e.kind === 'file' ? e.file.path : e.kind === 'skip' ? [e.path, e.keepUnder, /unreadable ignore file sub\/\.quipuignore \(EIO\)/.test(e.reason)] : e.kind)),
    [['sub/deep/key.secret', 'sub/deep/key.secret', true], ['sub/deep/note.md', 'sub/deep/note.md', true], 'top.md'],
  );
});
