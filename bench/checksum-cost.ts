/**
 * What the index files' checksums cost (store/file-sums.ts): a store of N chunks (random unit
 * vectors, 10 per file, as bench/store-child.ts makes them) is loaded whole (every shard's vectors
 * and word index, as the first search does) with its checksums and with them removed from the
 * manifest, alternately; and CRC32 alone is timed over the same files. CPU time, not wall time (the
 * machine is shared). Usage: node --import tsx bench/checksum-cost.ts [chunks=100000] [rounds=3]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { IndexStore } from '../src/core/store/store';
import type { Manifest } from '../src/core/store/types';
import { seededRandom } from './lib';

const DIMS = 384;
const identity = { modelId: 'bench', chunkKey: 'bench', dimensions: DIMS };
const random = seededRandom(7);

function unitVector(): Float32Array {
  const v = new Float32Array(DIMS);
  for (let i = 0; i < DIMS; i++) v[i] = random() * 2 - 1;
  return v;
}

const WORDS = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
const text = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(WORDS.length * random() ** 3)]).join(' ');

function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function loadAll(dir: string): Promise<number> {
  const start = process.cpuUsage();
  const store = await IndexStore.open(dir, identity, { write: false });
  for (const shard of await store.searchableShards()) await shard.lexical();
  await store.close();
  return cpuMs(start);
}

async function main(): Promise<void> {
  const chunks = Number(process.argv[2] ?? 100_000);
  const rounds = Number(process.argv[3] ?? 3);
  const dir = mkdtempSync(join(tmpdir(), 'quipu-checksum-'));
  try {
    const writer = await IndexStore.open(dir, identity, { write: true });
    for (let n = 0; n < chunks / 10; n++) {
      writer.stageFile({
        path: `pkg-${n % 50}/file-${n}.ts`,
        size: 4000,
        mtimeMs: 1,
        hash: `${n}`.padEnd(16, '0'),
        ext: 'ts',
        language: 'ts',
        chunks: Array.from({ length: 10 }, (_, i) => ({ text: text(80), startLine: i * 20 + 1, endLine: i * 20 + 25, inputHash: `${n}-${i}`, vector: unitVector() })),
      });
    }
    const commitStart = process.cpuUsage();
    await writer.commit();
    const commitMs = cpuMs(commitStart);
    await writer.close();

    const shardFiles = readdirSync(join(dir, 'shards'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    const shardBytes = shardFiles.reduce((sum, file) => sum + statSync(file).size, 0);
    const buffers = shardFiles.map((file) => readFileSync(file));
    const crcStart = process.cpuUsage();
    for (const bytes of buffers) crc32(bytes);
    const crcMs = cpuMs(crcStart);

    const manifestFile = join(dir, 'manifest.json');
    const withSums = readFileSync(manifestFile, 'utf8');
    const withoutSums = JSON.stringify({ ...(JSON.parse(withSums) as Manifest), shardSums: undefined });
    const loads = { with: [] as number[], without: [] as number[] };
    await loadAll(dir); // the page cache warm for both
    for (let round = 0; round < rounds; round++) {
      writeFileSync(manifestFile, withoutSums);
      loads.without.push(await loadAll(dir));
      writeFileSync(manifestFile, withSums);
      loads.with.push(await loadAll(dir));
    }
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
    process.stdout.write(
      JSON.stringify(
        {
          chunks,
          shardFiles: shardFiles.length,
          shardMB: +(shardBytes / 2 ** 20).toFixed(1),
          bytesPerChunk: Math.round(shardBytes / chunks),
          crc32MsOverShardFiles: Math.round(crcMs),
          crc32MBps: Math.round(shardBytes / 2 ** 20 / (crcMs / 1000)),
          commitOfAllMs: Math.round(commitMs),
          loadAllMsWithoutSums: loads.without.map(Math.round),
          loadAllMsWithSums: loads.with.map(Math.round),
          loadOverhead: `${(((median(loads.with) - median(loads.without)) / median(loads.without)) * 100).toFixed(1)} %`,
        },
        null,
        1,
      ) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
