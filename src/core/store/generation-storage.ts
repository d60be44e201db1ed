/**
 * A Vectra FileStorage that gives each shard's index file generations.
 *
 * Vectra rewrites `<shard>/index.pb` in place with a plain writeFile: a crash mid-write would leave
 * a torn file. Here Vectra still reads and writes "index.pb", but reads go to the committed
 * generation (`index.g7.pb`) and writes go, atomically, to the next one (`index.g8.pb`). Only when
 * the store's manifest names the new generation does it become the one that is read: until then a
 * killed process leaves the previous generation, and its catalog, intact.
 */
import { resolve } from 'node:path';
import { LocalFileStorage } from 'vectra';
import { writeFileAtomic } from './atomic';

export const VECTRA_INDEX_NAME = 'index.pb';

export class GenerationStorage extends LocalFileStorage {
  /** Generation that reads see; 0 means the shard has never been written. */
  committed = 0;
  /** Generation that writes go to. */
  pending = 0;

  constructor(private readonly shardDir: string) {
    super();
  }

  static fileFor(shardDir: string, generation: number): string {
    return `${shardDir}/index.g${generation}.pb`;
  }

  private isIndexFile(path: string): boolean {
    return resolve(path) === resolve(this.shardDir, VECTRA_INDEX_NAME);
  }

  override async pathExists(path: string): Promise<boolean> {
    if (this.isIndexFile(path)) return this.committed > 0;
    return super.pathExists(path);
  }

  override async readFile(path: string): Promise<Buffer> {
    return super.readFile(this.isIndexFile(path) ? GenerationStorage.fileFor(this.shardDir, this.committed) : path);
  }

  override async upsertFile(path: string, content: Buffer | string): Promise<void> {
    if (!this.isIndexFile(path)) return super.upsertFile(path, content);
    if (this.pending <= this.committed) throw new Error('GenerationStorage: write outside a commit');
    await writeFileAtomic(GenerationStorage.fileFor(this.shardDir, this.pending), content);
  }
}
