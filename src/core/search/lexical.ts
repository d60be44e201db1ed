/**
 * The lexical side of search: BM25 over chunk texts, one index per store shard so a one-file update
 * rewrites one shard's file, as for the vectors. Scores use statistics over all shards together.
 *
 * Why not MiniSearch (used before, and measured): it scores every document that shares a word with
 * the query and builds an object per document, so at 100k chunks a query with a common word took
 * 275–450 ms (p95). Here postings are typed arrays scored term at a time into one accumulator per
 * shard: the same BM25 (MiniSearch's BM25+ and field boosts, so rankings stayed the same on the eval
 * datasets) in a few milliseconds.
 *
 * The tokenizer understands code: `parseHttpHeader`, `parse_http_header`, `parse-http-header` and
 * `src/http/parse.ts` all yield their parts ("parse", "http", "header") and the whole identifier
 * ("parsehttpheader"), so a query for the identifier and a query in words both match.
 */
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

import { RELATED_MIN_QUERY_LENGTH, relatedFormShare, shortFormsOf, SIBLING_STEM_LENGTH, singular, START_MIN_LENGTH } from './word-forms';
import { bestRows } from './top';

export { singular } from './word-forms';

/** Words of code and prose: identifiers (with `$`, `_`), numbers, and accented letters. */
const WORD = /[\p{L}\p{N}_$]+/gu;
/** Where a camelCase or PascalCase word splits: fooBar → foo|Bar, HTTPServer → HTTP|Server. */
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);
const MAX_TERM_LENGTH = 64;

/** Terms of a text: every word lower-cased and made singular, plus the parts of compound identifiers. */
export function tokenizeCode(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    if (word.length > MAX_TERM_LENGTH) continue;
    const whole = word.replace(/^[_$]+|[_$]+$/g, '');
    if (!whole) continue;
    const parts = whole.split(/[_$]+/).flatMap((part) => part.split(CAMEL)).filter(Boolean);
    const lower = whole.toLowerCase();
    if (parts.length > 1) {
      terms.push(singular(lower.replace(/[_$]/g, '')));
      for (const part of parts) pushTerm(terms, part.toLowerCase());
    } else pushTerm(terms, lower);
  }
  return terms;
}

function pushTerm(terms: string[], term: string): void {
  if (term.length < 2 && !/\d/.test(term)) return;
  if (STOP_WORDS.has(term)) return;
  terms.push(singular(term));
}

/**
 * Names a chunk defines, found by the shapes definitions take in common languages: `function x`,
 * `class X`, `def x`, `fn x`, `func x`, `interface X`, `type X =`, `const x =`, `x(...) {` methods,
 * `x: function`, Markdown headings. A query for a name then ranks its definition above its uses.
 */
const DEFINITION_PATTERNS = [
  /\b(?:function\*?|class|interface|enum|struct|trait|impl|def|fn|func|fun|sub|module|namespace|protocol|record)\s+([A-Za-z_$][\w$]*)/g,
  /\btype\s+([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*=/g,
  /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s*)?(?:function|\(|[A-Za-z_$][\w$]*\s*=>)/g,
  /^[ \t]*(?:(?:public|private|protected|static|async|override|readonly|export|get|set)\s+)*([A-Za-z_$][\w$]*)\s*\([^)\n]*\)\s*(?::\s*[^{\n]+)?\{/gm,
  /^[ \t]*([A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?function\b/gm,
  /^#{1,6}\s+(.+)$/gm,
];
const NOT_NAMES = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'function', 'with', 'when', 'else']);

export function definedNames(text: string): string[] {
  const names = new Set<string>();
  for (const pattern of DEFINITION_PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const name = match[1]?.trim();
      if (name && !NOT_NAMES.has(name)) names.add(name);
    }
  }
  return [...names];
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
/** Identifiers are often typed in part ("parseHead"): terms this long also match as a prefix… */
const PREFIX_MIN_LENGTH = 4;
/** …counted a little less, and less the longer the completion (MiniSearch's formula). */
const PREFIX_WEIGHT = 0.4;
/** The completions of one query term that are scored, closest first (bounds a query's work). */
const MAX_PREFIX_EXPANSIONS = 32;
/**
 * A query word's usual short forms in code (ABBREVIATIONS: "message" → `msg`) count at PREFIX_WEIGHT,
 * unless one is in more than this share of the documents: `src` in every path of a `src/` tree says
 * nothing about which chunk "the source Observable" means, yet would add a matched word to all of them
 * (bench/QUALITY-EXPERIMENTS.md §8).
 */
const ABBREVIATION_MAX_DOCUMENT_SHARE = 0.25;
/** The closest siblings of one query word that are scored (word-forms.ts). */
const MAX_SIBLINGS = 4;

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
interface WeightedTerm {
  /** Which word of the query it came from (a document's score grows with the words it matches). */
  queryTerm: number;
  term: string;
  weight: number;
  /** idf per field, over all shards. */
  idf: [number, number, number];
}

const MAGIC = 0x3158_4c51; // "QLX1"

export class LexicalIndex {
  /** Chunk id per slot; a removed document's slot is compacted away at once. */
  private ids: string[] = [];
  private slotOf = new Map<string, number>();
  /** Field lengths in terms, three per slot. */
  private lengths: number[] = [];
  private readonly totalLengths: [number, number, number] = [0, 0, 0];
  private postings = new Map<string, Postings>();
  /** Every term, sorted, for prefix lookups; rebuilt after new terms arrive. */
  private sortedTerms: string[] | undefined;
  private norms: { averages: number[]; values: Float64Array } | undefined;
  private scratch: { scores: Float64Array; matched: Uint32Array } | undefined;

  static empty(): LexicalIndex {
    return new LexicalIndex();
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
   * Binary form: magic, the length of a JSON header (ids and terms), the header, then as 32-bit
   * words: field lengths (three per document), and per term its posting count, slots and packed
   * frequencies. Loads in a fraction of the time a JSON index takes.
   */
  serialize(): Buffer {
    const terms = [...this.postings.keys()];
    const header = Buffer.from(JSON.stringify({ ids: this.ids, terms }), 'utf8');
    const headerWords = Math.ceil(header.length / 4);
    let words = 2 + headerWords + this.lengths.length;
    for (const postings of this.postings.values()) words += 1 + 2 * postings.length;
    const out = new Uint32Array(words);
    out[0] = MAGIC;
    out[1] = header.length;
    new Uint8Array(out.buffer, 8, header.length).set(header);
    let at = 2 + headerWords;
    out.set(this.lengths, at);
    at += this.lengths.length;
    for (const term of terms) {
      const postings = this.postings.get(term)!;
      out[at++] = postings.length;
      out.set(postings.slots.subarray(0, postings.length), at);
      at += postings.length;
      out.set(postings.frequencies.subarray(0, postings.length), at);
      at += postings.length;
    }
    return Buffer.from(out.buffer);
  }

  static deserialize(bytes: Uint8Array): LexicalIndex {
    // Typed views need 4-byte alignment; a small Buffer may sit at any offset of a shared pool.
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : Uint8Array.from(bytes);
    const words = new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
    if (words[0] !== MAGIC) throw new Error('not a Quipu lexical index (or a damaged one)');
    const headerBytes = words[1];
    const header = JSON.parse(Buffer.from(aligned.buffer, aligned.byteOffset + 8, headerBytes).toString('utf8')) as { ids: string[]; terms: string[] };
    const index = new LexicalIndex();
    index.ids = header.ids;
    index.slotOf = new Map(header.ids.map((id, slot) => [id, slot]));
    let at = 2 + Math.ceil(headerBytes / 4);
    index.lengths = Array.from(words.subarray(at, at + header.ids.length * 3));
    at += header.ids.length * 3;
    for (let slot = 0; slot < header.ids.length; slot++) {
      for (let field = 0; field < 3; field++) index.totalLengths[field] += index.lengths[slot * 3 + field];
    }
    const slotsView = new Int32Array(words.buffer, words.byteOffset, words.length);
    for (const term of header.terms) {
      const length = words[at++];
      const slots = slotsView.subarray(at, at + length);
      at += length;
      const frequencies = words.subarray(at, at + length);
      at += length;
      index.postings.set(term, { slots, frequencies, length, documentFrequency: documentFrequencyOf(frequencies, length) });
    }
    if (at !== words.length) throw new Error('the lexical index is damaged (its length does not add up)');
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

  /** This index alone (tests, and a store with one shard). */
  search(query: string, limit: number, accept?: (id: string) => boolean): LexicalHit[] {
    return searchLexical([{ index: this, accept: accept && ((slot) => accept(this.ids[slot])) }], query, limit);
  }
}

function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest; rest &= rest - 1) count++;
  return count;
}

/**
 * Indexed terms that are other forms of a long query word (word-forms.ts), with the share of the
 * longer word they have in common: the starts of it (`concat` for "concatenating") and its closest
 * siblings (`serialize` for "serialization").
 */
function relatedTerms(queryTerm: string, parts: { index: LexicalIndex }[]): Map<string, number> {
  const related = new Map<string, number>();
  if (queryTerm.length < RELATED_MIN_QUERY_LENGTH) return related;
  const indexed = (term: string) => parts.some(({ index }) => index.documentFrequency(term).some((n) => n > 0));
  for (let length = queryTerm.length - 1; length >= START_MIN_LENGTH; length--) {
    const start = queryTerm.slice(0, length);
    const share = relatedFormShare(start, queryTerm);
    if (share !== undefined && indexed(start)) related.set(start, share);
  }
  const siblings = new Map<string, number>();
  for (const { index } of parts) {
    for (const term of index.termsWithPrefix(queryTerm.slice(0, SIBLING_STEM_LENGTH))) {
      if (related.has(term)) continue;
      const share = relatedFormShare(term, queryTerm);
      if (share !== undefined) siblings.set(term, share);
    }
  }
  const closest = [...siblings].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MAX_SIBLINGS);
  for (const [term, share] of closest) related.set(term, share);
  return related;
}

/**
 * BM25 over several indexes (a store's shards) as if they were one: document counts, field lengths
 * and term rarity are summed over all of them, so scores from different shards compare exactly.
 */
export function searchLexical(parts: { index: LexicalIndex; accept?: (slot: number) => boolean }[], query: string, limit: number): (LexicalHit & { part: number })[] {
  const queryTerms = [...new Set(tokenizeCode(query))];
  if (queryTerms.length === 0) return [];
  let documents = 0;
  const totals = [0, 0, 0];
  for (const { index } of parts) {
    documents += index.size;
    index.fieldLengthTotals.forEach((total, field) => (totals[field] += total));
  }
  if (documents === 0) return [];
  const averageLengths = totals.map((total) => total / documents);
  const weighted: WeightedTerm[] = [];
  queryTerms.forEach((queryTerm, position) => {
    const candidates = new Map<string, number>([[queryTerm, 1]]);
    if (queryTerm.length >= PREFIX_MIN_LENGTH) {
      const completions = new Set<string>();
      for (const { index } of parts) for (const term of index.termsWithPrefix(queryTerm)) if (term !== queryTerm) completions.add(term);
      const closest = [...completions].sort((a, b) => a.length - b.length || (a < b ? -1 : 1)).slice(0, MAX_PREFIX_EXPANSIONS);
      for (const term of closest) {
        const distance = term.length - queryTerm.length;
        candidates.set(term, (PREFIX_WEIGHT * term.length) / (term.length + 0.3 * distance));
      }
    }
    // A related term that is itself a word of the query ("parse" in "parseHeader") is scored as that word.
    for (const [term, share] of relatedTerms(queryTerm, parts)) if (!candidates.has(term) && !queryTerms.includes(term)) candidates.set(term, PREFIX_WEIGHT * share);
    for (const form of shortFormsOf(queryTerm)) {
      if (candidates.has(form) || queryTerms.includes(form)) continue;
      let holding = 0;
      for (const { index } of parts) holding += Math.max(...index.documentFrequency(form));
      if (holding <= ABBREVIATION_MAX_DOCUMENT_SHARE * documents) candidates.set(form, PREFIX_WEIGHT);
    }
    for (const [term, weight] of candidates) {
      const frequency = [0, 0, 0];
      for (const { index } of parts) index.documentFrequency(term).forEach((n, field) => (frequency[field] += n));
      if (frequency[0] + frequency[1] + frequency[2] === 0) continue;
      const idf = frequency.map((n) => Math.log(1 + (documents - n + 0.5) / (n + 0.5))) as [number, number, number];
      weighted.push({ queryTerm: position, term, weight, idf });
    }
  });
  const hits: (LexicalHit & { part: number })[] = [];
  parts.forEach(({ index, accept }, part) => {
    for (const hit of index.score(weighted, averageLengths, limit, accept)) hits.push({ ...hit, part });
  });
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}
