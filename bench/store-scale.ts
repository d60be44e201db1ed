/**
 * `npm run bench:store`: the store alone at chosen sizes (bench/store-child.ts, one child process per
 * size), for "The store as it grows" at 300k and 1M chunks, which `npm run bench` does not reach.
 * Options: --sizes 100000,300000,1000000 (chunks), --shards 16, --label NAME (the results go to
 * bench/.cache/store-scale-NAME.json, with the machine and its load average before and after).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineDescription, ROOT, runChild } from './lib';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1] : fallback;
}

async function main(): Promise<void> {
  const sizes = option('sizes', '100000,300000,1000000').split(',').map(Number);
  const shards = Number(option('shards', '16'));
  const label = option('label', 'latest');
  const work = mkdtempSync(join(tmpdir(), 'quipu-store-scale-'));
  const load = () => loadavg().map((n) => n.toFixed(2)).join(' / ');
  const runs: unknown[] = [];
  const out = join(ROOT, 'bench', '.cache', `store-scale-${label}.json`);
  mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
  const result = { startedAt: new Date().toISOString(), machine: machineDescription(), loadBefore: load(), runs, loadAfter: '' };
  try {
    for (const n of sizes) {
      process.stderr.write(`${new Date().toISOString()} ${n} chunks, ${shards} shard(s), load ${load()}\n`);
      const run = await runChild<Record<string, unknown>>('store-child.ts', [String(n), String(shards), join(work, 'store')]);
      runs.push({ ...run, loadAtEnd: load() });
      writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
      process.stderr.write(JSON.stringify(run) + '\n');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  result.loadAfter = load();
  writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
  process.stderr.write(`wrote ${out}\n`);
}

void main();
