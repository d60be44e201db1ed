/**
 * What `quipu mcp` tells an agent of the search tiers: the `status` tool's tier counts and where the deep
 * tier stands, and the search answer's freshness note while chunks are still ranked by their fast
 * vectors. In process: the real tools (src/mcp/tools.ts) on an SDK client over an in-memory transport,
 * the real engine and the keeper `quipu mcp` builds, on a real temporary folder. Each wait is for the
 * keeper (idle, quiet, paused), never a duration.
 */
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { QuipuEngine } from '../../src/core/engine/engine';
import type { FolderKeeper } from '../../src/core/keeper/folder-keeper';
import type { ServedFolder } from '../../src/mcp/folders';
import { servedKeeper } from '../../src/mcp/keeper';
import { registerTools } from '../../src/mcp/tools';
import { ServedWatches } from '../../src/mcp/watch';
import { tempDir, testEngine } from '../helpers';

interface StatusRow {
  tiers: string;
  fast_chunks: number;
  deep_chunks: number;
  chunks: number;
  deep_tier: string;
  progress?: unknown;
}

interface Freshness {
  tiers: string;
  fast_chunks?: number;
  deep_chunks?: number;
  deep_tier?: string;
  tier_note?: string;
}

let engine: QuipuEngine;
let keeper: FolderKeeper;
let client: Client;
const logs: string[] = [];

before(async () => {
  // No machine-wide vector cache (testConfig): the fast pass leaves static vectors only.
  engine = await testEngine();
  const root = realpathSync(tempDir());
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'alpha.ts'), 'export function alpha(): number {\n  return 1;\n}\n');
  writeFileSync(join(root, 'src', 'beta.ts'), 'export function beta(): number {\n  return 2;\n}\n');
  const served: ServedFolder[] = [{ root, name: 'work', indexDir: join(tempDir(), 'index') }];
  keeper = servedKeeper(served, () => Promise.resolve(engine), (line) => logs.push(line));
  const server = new McpServer({ name: 'quipu', version: '0.0.0' }, { capabilities: { tools: {} } });
  registerTools(server, { served, engine: () => Promise.resolve(engine), keeper, watches: new ServedWatches(served, () => undefined) });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  client = new Client({ name: 'quipu-test', version: '1.0.0' });
  await client.connect(clientSide);
});

after(async () => {
  await client?.close();
  await keeper?.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  assert.notEqual(result.isError, true, textOf(result));
  return result;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

test('after the fast pass: status counts fast chunks and the deep tier waiting; a search says how many chunks are ranked by fast vectors', async () => {
  keeper.requestFull(keeper.folders()[0].key);
  await keeper.whenIdle();
  // Held still where it stands (the deep run, if it started, is stopped and waits again), so what follows is not a race with it.
  await keeper.pause();
  const status = await call('status', {});
  const [row] = (status.structuredContent as { folders: StatusRow[] }).folders;
  assert.equal(row.tiers, 'fast-deep');
  assert.ok(row.chunks > 0);
  assert.deepEqual({ fast: row.fast_chunks, deep: row.deep_chunks, tier: row.deep_tier }, { fast: row.chunks, deep: 0, tier: 'waiting' });
  assert.equal(row.progress, undefined);
  assert.match(textOf(status), new RegExp(`\\n  Tiers fast-deep: ${row.chunks} fast; the deep tier waits for other updates to finish\\.`));

  const search = await call('search', { query: 'alpha', mode: 'lexical' });
  const [fresh] = (search.structuredContent as { freshness: Freshness[] }).freshness;
  assert.deepEqual({ fast: fresh.fast_chunks, deep: fresh.deep_chunks, tier: fresh.deep_tier }, { fast: row.chunks, deep: 0, tier: 'waiting' });
  assert.equal(fresh.tier_note, 'work: ranked with fast-tier (static) vectors for 100% of chunks; the deep tier waits for other updates to finish, and results improve as it completes.');
  assert.ok(textOf(search).includes(`Note: ${fresh.tier_note}`), textOf(search));
});

test('once the deep tier is done: every chunk deep, and nothing more to say', async () => {
  keeper.resume();
  await keeper.whenQuiet();
  const [row] = ((await call('status', {})).structuredContent as { folders: StatusRow[] }).folders;
  assert.deepEqual({ fast: row.fast_chunks, deep: row.deep_chunks, tier: row.deep_tier }, { fast: 0, deep: row.chunks, tier: 'complete' });
  const search = await call('search', { query: 'alpha', mode: 'lexical' });
  const [fresh] = (search.structuredContent as { freshness: Freshness[] }).freshness;
  assert.equal(fresh.deep_tier, 'complete');
  assert.equal(fresh.tier_note, undefined);
  assert.doesNotMatch(textOf(search), /fast-tier/);
  assert.ok(logs.some((line) => /^work: deep tier done: \d+ chunk\(s\) embedded by the transformer in [\d.]+ s; \d+ deep, 0 fast$/.test(line)), logs.join('\n'));
});
