/**
 * The lexical side of search: BM25 over chunk texts (MiniSearch), one index per store shard so a
 * one-file update rewrites one shard's file, as for the vectors.
 *
 * The tokenizer understands code: `parseHttpHeader`, `parse_http_header`, `parse-http-header` and
 * `src/http/parse.ts` all yield their parts ("parse", "http", "header") and the whole identifier
 * ("parsehttpheader"), so a query for the identifier and a query in words both match.
 */
import MiniSearch, { type SearchResult as MiniSearchResult } from 'minisearch';

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
}

/** Words of code and prose: identifiers (with `$`, `_`), numbers, and accented letters. */
const WORD = /[\p{L}\p{N}_$]+/gu;
/** Where a camelCase or PascalCase word splits: fooBar → foo|Bar, HTTPServer → HTTP|Server. */
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);
const MAX_TERM_LENGTH = 64;

/** Terms of a text: every word lower-cased, plus the parts of compound identifiers. */
export function tokenizeCode(text: string): string[] {
  const terms: string[] = [];
  for (const [word] of text.matchAll(WORD)) {
    if (word.length > MAX_TERM_LENGTH) continue;
    const whole = word.replace(/^[_$]+|[_$]+$/g, '');
    if (!whole) continue;
    const parts = whole.split(/[_$]+/).flatMap((part) => part.split(CAMEL)).filter(Boolean);
    const lower = whole.toLowerCase();
    if (parts.length > 1) {
      terms.push(lower.replace(/[_$]/g, ''));
      for (const part of parts) pushTerm(terms, part.toLowerCase());
    } else pushTerm(terms, lower);
  }
  return terms;
}

function pushTerm(terms: string[], term: string): void {
  if (term.length < 2 && !/\d/.test(term)) return;
  if (STOP_WORDS.has(term)) return;
  terms.push(term);
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

const OPTIONS = {
  fields: ['text', 'path', 'symbol'],
  storeFields: [] as string[],
  tokenize: (text: string) => tokenizeCode(text),
  // tokenizeCode already lower-cases and drops stop words.
  processTerm: (term: string) => term,
  autoVacuum: false,
  searchOptions: {
    boost: { symbol: 3, path: 1.5, text: 1 },
    // Identifiers are often typed in part ("parseHead"): a prefix match counts, a little less.
    prefix: (term: string) => term.length >= 4,
    weights: { fuzzy: 0.3, prefix: 0.4 },
    combineWith: 'OR' as const,
  },
};

export class LexicalIndex {
  private constructor(private readonly mini: MiniSearch<LexicalDocument>) {}

  static empty(): LexicalIndex {
    return new LexicalIndex(new MiniSearch<LexicalDocument>(OPTIONS));
  }

  static fromJSON(json: string): LexicalIndex {
    return new LexicalIndex(MiniSearch.loadJSON<LexicalDocument>(json, OPTIONS));
  }

  get size(): number {
    return this.mini.documentCount;
  }

  add(documents: LexicalDocument[]): void {
    // The symbol field holds the enclosing symbol and every name the chunk defines.
    this.mini.addAll(documents.map((d) => ({ ...d, symbol: [d.symbol ?? '', ...definedNames(d.text)].join(' ') })));
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) if (this.mini.has(id)) this.mini.discard(id);
  }

  /** Drops what `remove` left behind, then serialises. */
  async toJSON(): Promise<string> {
    if (this.mini.dirtCount > 0) await this.mini.vacuum({ batchSize: 100_000, batchWait: 0 });
    return JSON.stringify(this.mini);
  }

  /** Best first; `accept` filters by chunk id (file types, globs) before the cut. */
  search(query: string, limit: number, accept?: (id: string) => boolean): LexicalHit[] {
    if (!query.trim()) return [];
    const hits: LexicalHit[] = [];
    const results: MiniSearchResult[] = this.mini.search(query, accept ? { filter: (r) => accept(r.id as string) } : undefined);
    for (const result of results) {
      hits.push({ id: result.id as string, score: result.score });
      if (hits.length >= limit) break;
    }
    return hits;
  }
}
