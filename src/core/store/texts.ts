/**
 * The chunk texts of each file version (`texts/<ab>/<key>.json`): content-addressed, so files with
 * the same content share one, written once and never changed. Read through a small cache and checked
 * against the length and CRC32 the catalog recorded.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from './atomic';
import { asWritten, sumOf, type FileSum } from './file-sums';
import { textPathOf } from './layout';
import { asIndexDamage, type CatalogEntry, type IndexCorruptError, type IndexState } from './types';

const CACHED = 256;

export class TextFiles {
  private readonly cache = new Map<string, string[]>();
  /** Texts key → what its file must hold, for the catalog it was built from. */
  private sums?: { catalog: ReadonlyMap<string, CatalogEntry>; sums: Map<string, FileSum> };

  constructor(
    private readonly state: IndexState,
    /** Told of a damaged texts file (callers go on without it). */
    private readonly onDamage: (error: IndexCorruptError) => void,
  ) {}

  path(textKey: string): string {
    return textPathOf(this.state.dir, textKey);
  }

  /** The chunk texts of one file version. */
  async read(textKey: string): Promise<string[]> {
    const cached = this.cache.get(textKey);
    if (cached) return cached;
    const file = this.path(textKey);
    const texts = await readFile(file)
      .then((bytes) => parseTexts(asWritten(bytes, this.sumOf(textKey))))
      .catch(asIndexDamage(file, this.onDamage));
    if (this.cache.size > CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(textKey, texts);
    return texts;
  }

  /** Writes a file version's texts unless they are there (the same key, the same bytes); returns what the file holds. */
  async write(textKey: string, texts: string[]): Promise<FileSum> {
    const path = this.path(textKey);
    const content = Buffer.from(JSON.stringify(texts), 'utf8');
    if (!existsSync(path)) await writeFileAtomic(path, content, this.state.writeHost);
    return sumOf(content);
  }

  /** What a texts file must hold, as the committed catalog recorded it (undefined: not recorded). */
  sumOf(textKey: string): FileSum | undefined {
    const { catalog } = this.state;
    if (this.sums?.catalog !== catalog) {
      const sums = new Map<string, FileSum>();
      for (const entry of catalog.values()) if (entry.textSum) sums.set(entry.textKey, entry.textSum);
      this.sums = { catalog, sums };
    }
    return this.sums.sums.get(textKey);
  }

  /** Drops a texts file from the cache (its file is being removed). */
  forget(textKey: string): void {
    this.cache.delete(textKey);
  }
}

/** A texts file's content: a list of strings, or an error saying what it is instead. */
export function parseTexts(bytes: Buffer): string[] {
  let texts: unknown;
  try {
    texts = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`not valid JSON (${bytes.length === 0 ? 'empty' : (error as Error).message})`);
  }
  if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) throw new Error('not a list of texts');
  return texts;
}
