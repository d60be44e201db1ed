/**
 * Vectors by content, shared by every index on the machine: a branch checked out and back, a second
 * worktree or a fresh clone embeds only chunks never seen before. One folder per embedder (its id and
 * vector size); the key is the chunk's model-input hash (`hashModelInput`), whatever file, branch or
 * folder it came from.
 *
 * Log-structured, so it is crash-safe without a database: each process appends to segment files of
 * its own (`<n>-<pid>-<rand>.vec`, records of key + vector + CRC32) with a key file beside each
 * (`.keys`, 16 bytes per record) read at open. A record cut short or damaged by a crash fails its
 * length or checksum and is a miss. Bounded by size, least recently used first: whole segments are
 * dropped oldest first, and a hit in the older half is written again to the newest, so what is used
 * stays. Two processes may share a folder: each writes its own segments and reads all of them
 * (those there when it opened: another's vectors written since are found by the next run).
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { VectorCacheSettings } from '../config/embedder-settings';
import { isAlive } from '../store/lock';

/**
 * Where the machine's cache lives, shared by the CLI and the extension: `$QUIPU_VECTOR_CACHE`, else
 * `~/.cache/quipu/vectors`. `QUIPU_VECTOR_CACHE=off` turns it off (the test harness does, so tests
 * never depend on what an earlier run left).
 */
export function defaultVectorCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.QUIPU_VECTOR_CACHE?.trim();
  if (chosen === 'off') return undefined;
  return chosen || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'quipu', 'vectors');
}

/** A few hundred MB: about 200k chunks of a 384-dimensional model. */
export const DEFAULT_VECTOR_CACHE_BYTES = 256 * 1024 * 1024;
const SEGMENT_BYTES = 16 * 1024 * 1024;
const KEY_BYTES = 16;

interface Location {
  segment: Segment;
  record: number;
}

interface Segment {
  name: string;
  /** Order of creation (the number in front of its name). */
  serial: number;
  records: number;
  bytes: number;
  fd?: number;
  /** Ours to append to. */
  own: boolean;
}

export class VectorCache {
  private readonly index = new Map<string, Location>();
  private segments: Segment[] = [];
  private current?: Segment;
  private readonly recordBytes: number;
  /** Lookups answered and asked (for the benchmark and the summary). */
  readonly stats = { hits: 0, lookups: 0, writes: 0 };

  private constructor(
    readonly dir: string,
    readonly dimensions: number,
    private readonly maxBytes: number,
    private readonly segmentBytes: number,
  ) {
    this.recordBytes = KEY_BYTES + dimensions * 4 + 4;
  }

  /** The cache of one embedder (its id and vector size), loaded from disk. */
  static open(settings: VectorCacheSettings, embedderId: string, dimensions: number): VectorCache {
    const folder = join(settings.dir, createHash('sha256').update(`${embedderId}\n${dimensions}`).digest('hex').slice(0, 24));
    mkdirSync(folder, { recursive: true });
    const cache = new VectorCache(folder, dimensions, settings.maxBytes, settings.segmentBytes ?? SEGMENT_BYTES);
    cache.load();
    return cache;
  }

  get size(): number {
    return this.index.size;
  }

  get bytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  /** The vectors known for these keys (model-input hashes, 32 hex characters). */
  getMany(keys: readonly string[]): Map<string, Float32Array> {
    const found = new Map<string, Float32Array>();
    const refresh: [string, Float32Array][] = [];
    const old = this.segments.length > 1 ? this.segments[Math.floor(this.segments.length / 2)].serial : Infinity;
    for (const key of keys) {
      this.stats.lookups++;
      const location = this.index.get(key);
      if (!location) continue;
      const vector = this.read(key, location);
      if (!vector) {
        this.index.delete(key);
        continue;
      }
      this.stats.hits++;
      found.set(key, vector);
      if (location.segment.serial < old) refresh.push([key, vector]);
    }
    // Used again: keep it away from the end that is dropped first.
    if (refresh.length > 0) this.putMany(refresh);
    return found;
  }

  putMany(entries: Iterable<[string, Float32Array]>): void {
    for (const [key, vector] of entries) {
      if (vector.length !== this.dimensions || !/^[0-9a-f]{32}$/.test(key)) continue;
      const segment = this.writable();
      const record = Buffer.alloc(this.recordBytes);
      record.write(key, 0, 'hex');
      Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(record, KEY_BYTES);
      record.writeUInt32LE(crc32(record.subarray(0, this.recordBytes - 4)), this.recordBytes - 4);
      writeSync(segment.fd!, record, 0, record.length, segment.records * this.recordBytes);
      writeSync(this.keysFd!, record, 0, KEY_BYTES, segment.records * KEY_BYTES);
      this.index.set(key, { segment, record: segment.records });
      segment.records++;
      segment.bytes += this.recordBytes;
      this.stats.writes++;
    }
    this.evict();
  }

  /** What was written reaches the disk (called when a run commits). */
  flush(): void {
    if (this.current?.fd !== undefined) fsyncSync(this.current.fd);
    if (this.keysFd !== undefined) fsyncSync(this.keysFd);
  }

  close(): void {
    this.flush();
    for (const segment of this.segments) {
      if (segment.fd !== undefined) closeSync(segment.fd);
      segment.fd = undefined;
    }
    if (this.keysFd !== undefined) closeSync(this.keysFd);
    this.keysFd = undefined;
    this.current = undefined;
  }

  private keysFd?: number;

  private load(): void {
    const segments: Segment[] = [];
    for (const name of readdirSync(this.dir).filter((file) => file.endsWith('.vec'))) {
      const dataBytes = statSync(join(this.dir, name)).size;
      const keys = readKeys(join(this.dir, name.replace(/\.vec$/, '.keys')));
      // A crash may leave either file longer than the other: only records both hold count.
      const records = Math.min(Math.floor(dataBytes / this.recordBytes), Math.floor(keys.length / KEY_BYTES));
      segments.push({ name, serial: Number(name.split('-')[0]) || 0, records, bytes: dataBytes, own: false, keys } as Segment & { keys: Buffer });
    }
    // Later segments win: a refreshed vector is found where it was written last.
    segments.sort((a, b) => a.serial - b.serial);
    for (const segment of segments as (Segment & { keys?: Buffer })[]) {
      const keys = segment.keys!;
      delete segment.keys;
      for (let record = 0; record < segment.records; record++) this.index.set(keys.toString('hex', record * KEY_BYTES, (record + 1) * KEY_BYTES), { segment, record });
    }
    this.segments = segments;
  }

  private read(key: string, { segment, record }: Location): Float32Array | undefined {
    try {
      segment.fd ??= openSync(join(this.dir, segment.name), 'r');
    } catch {
      return undefined; // dropped by another process
    }
    const buffer = Buffer.alloc(this.recordBytes);
    const read = readSync(segment.fd, buffer, 0, buffer.length, record * this.recordBytes);
    if (read !== buffer.length) return undefined;
    if (buffer.toString('hex', 0, KEY_BYTES) !== key) return undefined;
    if (buffer.readUInt32LE(this.recordBytes - 4) !== crc32(buffer.subarray(0, this.recordBytes - 4))) return undefined;
    const vector = new Float32Array(this.dimensions);
    new Uint8Array(vector.buffer).set(buffer.subarray(KEY_BYTES, KEY_BYTES + this.dimensions * 4));
    return vector;
  }

  private mayBeWrittenElsewhere(segment: Segment): boolean {
    if (segment.own || segment.bytes + this.recordBytes > this.segmentBytes) return false;
    const pid = Number(segment.name.split('-')[1]);
    return Number.isInteger(pid) && pid !== process.pid && isAlive(pid);
  }

  private writable(): Segment {
    if (this.current && this.current.bytes + this.recordBytes <= this.segmentBytes) return this.current;
    if (this.current) this.flush();
    if (this.keysFd !== undefined) closeSync(this.keysFd);
    const serial = Math.max(Date.now(), (this.segments.at(-1)?.serial ?? 0) + 1);
    const name = `${serial}-${process.pid}-${randomBytes(3).toString('hex')}.vec`;
    const fd = openSync(join(this.dir, name), 'w+');
    this.keysFd = openSync(join(this.dir, name.replace(/\.vec$/, '.keys')), 'w');
    const segment: Segment = { name, serial, records: 0, bytes: 0, fd, own: true };
    this.segments.push(segment);
    this.current = segment;
    return segment;
  }

  /**
   * Oldest segments out until the folder fits its budget, never one being written: ours, or another
   * live process's that still has room (its newest, which it may be appending to now).
   */
  private evict(): void {
    while (this.bytes > this.maxBytes) {
      const index = this.segments.findIndex((segment) => segment !== this.current && !this.mayBeWrittenElsewhere(segment));
      if (index < 0) return;
      const [dropped] = this.segments.splice(index, 1);
      if (dropped.fd !== undefined) closeSync(dropped.fd);
      removeSegmentFile(join(this.dir, dropped.name));
      removeSegmentFile(join(this.dir, dropped.name.replace(/\.vec$/, '.keys')));
      for (const [key, location] of this.index) if (location.segment === dropped) this.index.delete(key);
    }
  }
}

/**
 * Deletes a dropped segment's file. Another process may still be writing it (its own newest
 * segment) and Windows then refuses (EPERM, EBUSY): the file stays, this process no longer counts
 * it, and whichever process next drops it as the oldest deletes it. A cache never fails a run.
 */
function removeSegmentFile(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // left for later, as above
  }
}

function readKeys(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch {
    return Buffer.alloc(0);
  }
}
