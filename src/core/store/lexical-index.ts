/**
 * One shard's BM25 index, as the store keeps it beside the shard's vectors: postings as typed
 * arrays (slot, and the term's count per field packed in 32 bits), a compact binary form written
 * under the shard's generation, and the per-shard scoring of weighted query terms into one
 * accumulator. Which terms a query asks for, and their rarity over all shards, is search's business
 * (`search/lexical.ts`); this file only holds and scores.
 */
import { definedNames, tokenizeCode } from '../text/code-terms';
import { bestRows } from './top';

export interface LexicalDocument {
  /** The chunk id (the same as in the vector index). */
  id: string;
  text: string;
  path: string;
  /** Enclosing symbol (function, class, heading), when the chunker knows it. */
  symbol?: string;
}

export interface LexicalHit {
  id: string;
  score: number;
  /** The document's position in its index (see `LexicalIndex.idAt`). */
  slot: number;
}

/** Indexed fields, in the order of their term-frequency bits (see `packFrequencies`). */
const FIELDS = ['text', 'path', 'symbol'] as const;
type Field = (typeof FIELDS)[number];
/** Field weights: a match in a symbol name (definition or enclosing symbol) counts most. */
const FIELD_BOOST: Record<Field, number> = { text: 1, path: 1.5, symbol: 3 };
/** BM25+ parameters (MiniSearch's defaults, with which the weights above were measured). */
const K1 = 1.2;
const B = 0.7;
const DELTA = 0.5;

/**
 * One term's postings: the documents (slots) that hold it and, per document, its frequency in each
 * field packed in 32 bits (text: 16 bits, path: 8, symbol: 8; larger counts are capped).
 */
interface Postings {
  slots: Int32Array;
  frequencies: Uint32Array;
  length: number;
  /** Documents holding the term, per field (for the term's rarity, idf). */
  documentFrequency: [number, number, number];
}

function packFrequencies(text: number, path: number, symbol: number): number {
  return (Math.min(text, 0xffff) | (Math.min(path, 0xff) << 16) | (Math.min(symbol, 0xff) << 24)) >>> 0;
}

function fieldFrequency(packed: number, field: number): number {
  return field === 0 ? packed & 0xffff : field === 1 ? (packed >>> 16) & 0xff : packed >>> 24;
}

/** Documents holding the term, per field, from the first `length` packed frequencies. */
function documentFrequencyOf(frequencies: Uint32Array, length: number): [number, number, number] {
  const counts: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < length; i++) {
    const packed = frequencies[i];
    for (let field = 0; field < 3; field++) if (fieldFrequency(packed, field)) counts[field]++;
  }
  return counts;
}

/** One query term as scored: an indexed term, its weight, and its rarity over every shard. */
export interface WeightedTerm {
  /** Which word of the query it came from (a document's score grows with the words it matches). */
  queryTerm: number;
  term: string;
  weight: number;
  /** idf per field, over all shards. */
  idf: [number, number, number];
}

const MAGIC = 0x3258_4c51; // "QLX2" (QLX1: 32-bit words, format 5 and older)

export class ShardLexicalIndex {
  /** Chunk id per slot; a removed document's slot is compacted away at once. */
  protected ids: string[] = [];
  private slotOf = new Map<string, number>();
  /** Field lengths in terms, three per slot. */
  private lengths: number[] = [];
  private readonly totalLengths: [number, number, number] = [0, 0, 0];
  private postings = new Map<string, Postings>();
  /** Every term, sorted, for prefix lookups; rebuilt after new terms arrive. */
  private sortedTerms: string[] | undefined;
  private norms: { averages: number[]; values: Float64Array } | undefined;
  private scratch: { scores: Float64Array; matched: Uint32Array } | undefined;

  static empty<T extends ShardLexicalIndex>(this: new () => T): T {
    return new this();
  }

  get size(): number {
    return this.ids.length;
  }

  /** The chunk id in a slot; slots change when documents are added or removed. */
  idAt(slot: number): string {
    return this.ids[slot];
  }

  add(documents: LexicalDocument[]): void {
    this.norms = undefined;
    for (const document of documents) {
      if (this.slotOf.has(document.id)) this.remove([document.id]);
      const slot = this.ids.length;
      this.ids.push(document.id);
      this.slotOf.set(document.id, slot);
      // The symbol field holds the enclosing symbol and every name the chunk defines.
      const fields = [document.text, document.path, [document.symbol ?? '', ...definedNames(document.text)].join(' ')];
      const counts = new Map<string, [number, number, number]>();
      fields.forEach((value, field) => {
        const terms = tokenizeCode(value);
        this.lengths.push(terms.length);
        this.totalLengths[field] += terms.length;
        for (const term of terms) {
          let count = counts.get(term);
          if (!count) counts.set(term, (count = [0, 0, 0]));
          count[field]++;
        }
      });
      for (const [term, [text, path, symbol]] of counts) {
        let postings = this.postings.get(term);
        if (!postings) {
          postings = { slots: new Int32Array(4), frequencies: new Uint32Array(4), length: 0, documentFrequency: [0, 0, 0] };
          this.postings.set(term, postings);
          this.sortedTerms = undefined;
        }
        if (postings.length === postings.slots.length) {
          const grown = { slots: new Int32Array(postings.length * 2), frequencies: new Uint32Array(postings.length * 2) };
          grown.slots.set(postings.slots);
          grown.frequencies.set(postings.frequencies);
          postings.slots = grown.slots;
          postings.frequencies = grown.frequencies;
        }
        postings.slots[postings.length] = slot;
        postings.frequencies[postings.length] = packFrequencies(text, path, symbol);
        postings.length++;
        if (text) postings.documentFrequency[0]++;
        if (path) postings.documentFrequency[1]++;
        if (symbol) postings.documentFrequency[2]++;
      }
    }
  }

  /** Removes documents and compacts at once (a commit removes a few files' chunks, then writes). */
  remove(removedIds: Iterable<string>): void {
    const removed = new Set<number>();
    for (const id of removedIds) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) removed.add(slot);
    }
    if (removed.size === 0) return;
    this.norms = undefined;
    // New slot numbers for the documents that stay.
    const renumbered = new Int32Array(this.ids.length).fill(-1);
    const ids: string[] = [];
    const lengths: number[] = [];
    this.totalLengths.fill(0);
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (removed.has(slot)) continue;
      renumbered[slot] = ids.length;
      ids.push(this.ids[slot]);
      for (let field = 0; field < 3; field++) {
        const length = this.lengths[slot * 3 + field];
        lengths.push(length);
        this.totalLengths[field] += length;
      }
    }
    for (const [term, postings] of this.postings) {
      let kept = 0;
      for (let i = 0; i < postings.length; i++) {
        const slot = renumbered[postings.slots[i]];
        if (slot < 0) continue;
        postings.slots[kept] = slot;
        postings.frequencies[kept] = postings.frequencies[i];
        kept++;
      }
      postings.length = kept;
      postings.documentFrequency = documentFrequencyOf(postings.frequencies, kept);
      if (kept === 0) {
        this.postings.delete(term);
        this.sortedTerms = undefined;
      }
    }
    this.ids = ids;
    this.lengths = lengths;
    this.slotOf = new Map(ids.map((id, slot) => [id, slot]));
  }

  /**
   * Binary form: magic, the length of a JSON header (ids, terms, posting count), the header, then
   * varints (LEB128): field lengths (three per document), and per term its posting count, its slots
   * as gaps (slots only grow within a term) and its packed frequencies. Most numbers take one byte:
   * about a quarter of the bytes of 32-bit words, decoded at load into two typed arrays that every
   * term's postings are views of.
   */
  serialize(): Buffer {
    const terms = [...this.postings.keys()];
    let count = 0;
    for (const postings of this.postings.values()) count += postings.length;
    const header = Buffer.from(JSON.stringify({ ids: this.ids, terms, postings: count }), 'utf8');
    const out = new VarintWriter(8 + header.length + this.lengths.length + terms.length + count * 3);
    out.bytes.writeUInt32LE(MAGIC, 0);
    out.bytes.writeUInt32LE(header.length, 4);
    header.copy(out.bytes, 8);
    out.at = 8 + header.length;
    for (const length of this.lengths) out.write(length);
    for (const term of terms) {
      const { slots, frequencies, length } = this.postings.get(term)!;
      out.write(length);
      let previous = 0;
      for (let i = 0; i < length; i++) {
        out.write(slots[i] - previous);
        previous = slots[i];
      }
      for (let i = 0; i < length; i++) out.write(frequencies[i]);
    }
    return out.bytes.subarray(0, out.at);
  }

  static deserialize<T extends ShardLexicalIndex>(this: new () => T, bytes: Uint8Array): T {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buffer.length < 8 || buffer.readUInt32LE(0) !== MAGIC) throw new Error('not a Quipu lexical index (or a damaged one)');
    const headerBytes = buffer.readUInt32LE(4);
    if (8 + headerBytes > buffer.length) throw new Error('the lexical index is truncated');
    const header = JSON.parse(buffer.toString('utf8', 8, 8 + headerBytes)) as { ids: string[]; terms: string[]; postings: number };
    if (!Array.isArray(header.ids) || !Array.isArray(header.terms) || !Number.isSafeInteger(header.postings)) throw new Error('the lexical index has a damaged header');
    const index = new this();
    index.ids = header.ids;
    index.slotOf = new Map(header.ids.map((id, slot) => [id, slot]));
    const lengthWords = new Uint32Array(header.ids.length * 3);
    let at = readVarints(buffer, 8 + headerBytes, lengthWords, lengthWords.length, false);
    const lengths = Array.from(lengthWords);
    index.lengths = lengths;
    for (let slot = 0; slot < header.ids.length; slot++) {
      for (let field = 0; field < 3; field++) index.totalLengths[field] += lengths[slot * 3 + field];
    }
    const allSlots = new Int32Array(header.postings);
    const allFrequencies = new Uint32Array(header.postings);
    const count = new Uint32Array(1);
    let posting = 0;
    for (const term of header.terms) {
      at = readVarints(buffer, at, count, 1, false);
      const length = count[0];
      if (posting + length > header.postings) throw new Error('the lexical index is damaged (more postings than its header says)');
      const slots = allSlots.subarray(posting, posting + length);
      const frequencies = allFrequencies.subarray(posting, posting + length);
      at = readVarints(buffer, at, slots, length, true);
      at = readVarints(buffer, at, frequencies, length, false);
      posting += length;
      index.postings.set(term, { slots, frequencies, length, documentFrequency: documentFrequencyOf(frequencies, length) });
    }
    if (posting !== header.postings || at !== buffer.length) throw new Error('the lexical index is damaged (its length does not add up)');
    return index;
  }

  /** Indexed terms that start with `prefix` (the term itself included, when indexed). */
  termsWithPrefix(prefix: string): string[] {
    this.sortedTerms ??= [...this.postings.keys()].sort();
    const terms = this.sortedTerms;
    let low = 0;
    let high = terms.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (terms[middle] < prefix) low = middle + 1;
      else high = middle;
    }
    const found: string[] = [];
    for (let i = low; i < terms.length && terms[i].startsWith(prefix); i++) found.push(terms[i]);
    return found;
  }

  documentFrequency(term: string): readonly [number, number, number] {
    return this.postings.get(term)?.documentFrequency ?? [0, 0, 0];
  }

  /**
   * Slots whose symbol field holds `term` (the chunk defines a name with that word, or is enclosed by
   * one), with the word's share of that field: the `limit` largest first, as in a definition of the
   * name itself (`Gizmo`), before the names it is only part of (`showGizmoScreen`).
   */
  slotsNaming(term: string, limit: number): { slot: number; share: number }[] {
    const postings = this.postings.get(term);
    if (!postings) return [];
    const found: { slot: number; share: number }[] = [];
    for (let i = 0; i < postings.length; i++) {
      const count = postings.frequencies[i] >>> 24;
      if (count) found.push({ slot: postings.slots[i], share: count / (this.lengths[postings.slots[i] * 3 + 2] || 1) });
    }
    return found.sort((a, b) => b.share - a.share || a.slot - b.slot).slice(0, limit);
  }

  get fieldLengthTotals(): readonly [number, number, number] {
    return this.totalLengths;
  }

  /**
   * BM25 of every document for the weighted terms, term at a time into one accumulator; the best
   * `limit` that `accept` lets through (by slot: cheaper than by id), best first.
   */
  score(terms: WeightedTerm[], averageLengths: readonly number[], limit: number, accept?: (slot: number) => boolean): LexicalHit[] {
    const count = this.ids.length;
    if (count === 0 || terms.length === 0) return [];
    const norms = this.normsFor(averageLengths);
    // Scratch arrays, reused from query to query: allocating them each time kept the GC busy.
    if (!this.scratch || this.scratch.scores.length < count) this.scratch = { scores: new Float64Array(count), matched: new Uint32Array(count) };
    const { scores, matched } = this.scratch;
    scores.fill(0, 0, count);
    // Which query words each document matched: a bit per word (queries have few words).
    matched.fill(0, 0, count);
    for (const { term, weight, idf, queryTerm } of terms) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      const bit = 1 << Math.min(queryTerm, 31);
      const [textWeight, pathWeight, symbolWeight] = FIELDS.map((field, i) => weight * FIELD_BOOST[field] * idf[i]);
      const { slots, frequencies, length } = postings;
      for (let i = 0; i < length; i++) {
        const slot = slots[i];
        const packed = frequencies[i];
        const text = packed & 0xffff;
        let score = text ? textWeight * (DELTA + (text * (K1 + 1)) / (text + norms[slot * 3])) : 0;
        if (packed > 0xffff) {
          const path = (packed >>> 16) & 0xff;
          const symbol = packed >>> 24;
          if (path) score += pathWeight * (DELTA + (path * (K1 + 1)) / (path + norms[slot * 3 + 1]));
          if (symbol) score += symbolWeight * (DELTA + (symbol * (K1 + 1)) / (symbol + norms[slot * 3 + 2]));
        }
        scores[slot] += score;
        matched[slot] |= bit;
      }
    }
    // A document matching more of the query's words ranks higher (MiniSearch's coordination).
    const best = bestRows(
      count,
      limit,
      (slot) => scores[slot] * bitCount(matched[slot]),
      (slot) => scores[slot] !== 0 && (!accept || accept(slot)),
    );
    return best.map(({ row: slot, score }) => ({ id: this.ids[slot], score, slot }));
  }

  /**
   * Each document's length normalisation per field, K1 · (1 − B + B · length / average length),
   * kept until the documents or the averages change (they change only when an index is written).
   */
  private normsFor(averageLengths: readonly number[]): Float64Array {
    const cached = this.norms;
    if (cached && cached.averages.every((average, field) => average === averageLengths[field])) return cached.values;
    const values = new Float64Array(this.lengths.length);
    for (let i = 0; i < values.length; i++) values[i] = K1 * (1 - B + (B * this.lengths[i]) / (averageLengths[i % 3] || 1));
    this.norms = { averages: [...averageLengths], values };
    return values;
  }

}

function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest; rest &= rest - 1) count++;
  return count;
}

/** Unsigned LEB128 varints into a buffer that grows as needed. */
class VarintWriter {
  bytes: Buffer;
  at = 0;
  constructor(estimate: number) {
    this.bytes = Buffer.alloc(Math.max(64, estimate));
  }
  write(value: number): void {
    if (this.at + 5 > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown, 0, 0, this.at);
      this.bytes = grown;
    }
    let v = value >>> 0;
    while (v >= 0x80) {
      this.bytes[this.at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.at++] = v;
  }
}

/**
 * Reads `count` varints from `bytes` at `at` into `out` (as running sums when `gaps`), returns where
 * they end. One tight loop: loading a million chunks' postings reads about 10^8 of them.
 */
function readVarints(bytes: Uint8Array, at: number, out: Int32Array | Uint32Array, count: number, gaps: boolean): number {
  const end = bytes.length;
  let sum = 0;
  for (let i = 0; i < count; i++) {
    if (at >= end) throw new Error('the lexical index is truncated');
    let byte = bytes[at++];
    let value = byte & 0x7f;
    for (let shift = 7; byte >= 0x80; shift += 7) {
      if (at >= end) throw new Error('the lexical index is truncated');
      if (shift > 28) throw new Error('the lexical index is damaged (a number too long)');
      byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
    }
    out[i] = gaps ? (sum += value) : value;
  }
  return at;
}
