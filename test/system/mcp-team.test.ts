/**
 * `quipu mcp --store … --collection …` as an agent meets it, against a real Chroma server behind a
 * door that wants the team token (test/servers/token-proxy.ts): the fixture is published as the
 * team's base, a developer's copy differs (a file edited, one added, one deleted), and an MCP client
 * from the official SDK searches over stdio: base hits, overlay hits, no hit of the deleted file; the
 * server stopped → the overlay alone with a notice; started again → the team index again.
 */
import assert from 'node:assert/strict';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ChromaStore } from '../../src/core/store/chroma-store';
import { copyFixture, ROOT, runCli, tempDir } from '../helpers';
import { startChroma, type RunningChroma } from '../servers/chroma';
import { startTokenProxy, type TokenProxy } from '../servers/token-proxy';

interface Result {
  path: string;
  snippet: string;
}

interface Team {
  collection: string;
  url: string;
  available?: boolean;
  notice?: string;
  commit?: string;
  generation?: number;
  overlay_files?: number;
  replaced_files?: number;
}

const COLLECTION = 'mcp-team';
const TOKEN = 'team-token-for-the-test';
const OVERLAY_FILES = ['src/flasher.ts', 'src/net/retry.ts'];

let chroma: RunningChroma;
let door: TokenProxy;
let client: Client | undefined;
let stderr = '';
let dev: string;

async function connect(store: string, collection: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, 'bin', 'quipu.js'), 'mcp', dev, '--no-watch', '--store', store, '--collection', collection],
    env: { ...(process.env as Record<string, string>), QUIPU_INDEX_HOME: tempDir(), QUIPU_VECTOR_CACHE: 'off', QUIPU_TEAM_TOKEN: TOKEN },
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (data: Buffer) => (stderr += data.toString()));
  const connected = new Client({ name: 'quipu-team-test', version: '1.0.0' });
  await connected.connect(transport);
  return connected;
}

before(async () => {
  chroma = await startChroma();
  door = await startTokenProxy(chroma.port, TOKEN);
  const base = copyFixture('corpus');
  const published = await runCli(['index', base, '--index-dir', join(tempDir(), 'index'), '--store', door.url, '--collection', COLLECTION, '--commit', 'c0ffee', '--json'], { env: { QUIPU_TEAM_TOKEN: TOKEN } });
  assert.equal(published.code, 0, published.stderr);

  dev = copyFixture('corpus');
  appendFileSync(join(dev, 'src/net/retry.ts'), '\n/** Sends the quokka telemetry beacon to the lighthouse. */\nexport function sendQuokkaBeacon(): void {\n  console.log("beacon");\n}\n');
  rmSync(join(dev, 'notes/pasta.txt'));
  writeFileSync(join(dev, 'src/flasher.ts'), '/** Flashes zebra firmware onto the board over a serial line. */\nexport function flashZebraFirmware(port: string): void {\n  console.log(port);\n}\n');
  client = await connect(door.url, COLLECTION);
});

after(async () => {
  await client?.close();
  await door?.close();
  await chroma?.dispose();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client!.callTool({ name, arguments: args })) as CallToolResult;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

async function search(query: string, args: Record<string, unknown> = {}): Promise<{ results: Result[]; team: Team; text: string }> {
  const result = await call('search', { query, ...args });
  assert.notEqual(result.isError, true, `${textOf(result)}\n${stderr}`);
  const structured = result.structuredContent as { results: Result[]; team: Team };
  return { results: structured.results, team: structured.team, text: textOf(result) };
}

test('search answers from the base and the overlay as one ranking; a file deleted here is not found', async () => {
  const fromBase = await search('deploy the service to production', { top_k: 3 });
  assert.equal(fromBase.results[0].path, 'docs/deploy.md', 'a base hit: the overlay does not hold this unchanged file');
  assert.equal(fromBase.team.available, true);
  assert.equal(fromBase.team.commit, 'c0ffee');

  const edited = await search('quokka telemetry beacon');
  assert.equal(edited.results[0].path, 'src/net/retry.ts');
  assert.match(edited.results[0].snippet, /quokka/, "the edited file's new text, from the overlay");
  const added = await search('flash firmware onto a board');
  assert.equal(added.results[0].path, 'src/flasher.ts', 'an overlay hit the base lacks');

  const pasta = await search('cook pasta al dente in salted water', { top_k: 20 });
  assert.ok(!pasta.results.some((r) => r.path === 'notes/pasta.txt'), `the deleted file's base chunks are dropped: ${pasta.results.map((r) => r.path).join(', ')}`);
  assert.ok(pasta.results.length > 0);
  assert.equal(door.refused, 0, 'every request carried the token');
  assert.ok(door.accepted > 0);
});

test('status names the team index, the commit it indexed and the overlay', async () => {
  const result = await call('status', {});
  assert.notEqual(result.isError, true, textOf(result));
  const team = (result.structuredContent as { team: Team }).team;
  assert.equal(team.collection, COLLECTION);
  assert.equal(team.url, door.url);
  assert.equal(team.available, true);
  assert.equal(team.commit, 'c0ffee');
  assert.equal(team.generation, 1);
  assert.equal(team.overlay_files, 2);
  assert.equal(team.replaced_files, 2);
  assert.match(textOf(result), new RegExp(`Team index: searches use the team index ${COLLECTION} at chroma://127\\.0\\.0\\.1:${door.port}, commit c0ffee`));
});

test('the server stops: the overlay alone answers with a notice, status says so; started again, the team index is back', async () => {
  await chroma.stop();
  const down = await search('flash firmware onto a board');
  assert.equal(down.team.available, false);
  assert.match(down.text, /Note: .*does not answer.*local changes only/);
  assert.equal(down.results[0].path, 'src/flasher.ts');
  assert.ok(down.results.every((r) => OVERLAY_FILES.includes(r.path)), `only overlay files while the server is down: ${down.results.map((r) => r.path).join(', ')}`);
  const status = await call('status', {});
  const team = (status.structuredContent as { team: Team }).team;
  assert.equal(team.available, false);
  assert.match(team.notice ?? '', /does not answer/);
  assert.match(textOf(status), /Team index: .*does not answer/);

  await chroma.start();
  const back = await search('deploy the service to production', { top_k: 3 });
  assert.equal(back.team.available, true);
  assert.equal(back.results[0].path, 'docs/deploy.md');
  assert.doesNotMatch(back.text, /does not answer/);
});

test('without the token the door refuses, and the error says which variable to set', async () => {
  const run = await runCli(['search', 'deploy', '--folder', copyFixture('corpus'), '--index-dir', join(tempDir(), 'overlay'), '--store', door.url, '--collection', COLLECTION], { env: { QUIPU_TEAM_TOKEN: '' } });
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /refused the token.*QUIPU_TEAM_TOKEN/);
  assert.ok(door.refused > 0);
});

test('a team index of another model and dimension is an error naming both, in search and status', async () => {
  const other = await ChromaStore.open(chroma.url, 'other-model', { modelId: 'other-model', chunkKey: 'k', dimensions: 8 }, { write: true });
  other.stageFile({ path: 'a.ts', size: 1, mtimeMs: 1, hash: 'h', ext: 'ts', language: 'typescript', chunks: [{ text: 'x', startLine: 1, endLine: 1, inputHash: 'i', vector: new Float32Array(8).fill(0.35) }] });
  await other.commit();
  const mismatched = await connect(chroma.url, 'other-model');
  try {
    const result = (await mismatched.callTool({ name: 'search', arguments: { query: 'deploy the service' } })) as CallToolResult;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /other-model \(8 dimensions\)/);
    assert.match(textOf(result), /this Quipu embeds with .+ \(384 dimensions\)/);
    const status = (await mismatched.callTool({ name: 'status', arguments: {} })) as CallToolResult;
    assert.match((status.structuredContent as { team: { error?: string } }).team.error ?? '', /other-model \(8 dimensions\)/);
    assert.match(textOf(status), /Team index: cannot use the team index other-model/);
  } finally {
    await mismatched.close();
  }
});
