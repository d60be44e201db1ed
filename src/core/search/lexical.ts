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
import { definedNames, singular, tokenizeCode } from '../text/code-terms';
import { ShardLexicalIndex, type LexicalDocument, type LexicalHit, type WeightedTerm } from '../store/lexical-index';
import { RELATED_MIN_QUERY_LENGTH, relatedFormShare, shortFormsOf, SIBLING_STEM_LENGTH, START_MIN_LENGTH } from './word-forms';

// Where the tests and tools have always found them.
export { definedNames, singular, tokenizeCode, type LexicalDocument, type LexicalHit };

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
 * Indexed terms that are other forms of a long query word (word-forms.ts), with the share of the
 * longer word they have in common: the starts of it (`concat` for "concatenating") and its closest
 * siblings (`serialize` for "serialization").
 */
function relatedTerms(queryTerm: string, parts: { index: ShardLexicalIndex }[]): Map<string, number> {
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
export function searchLexical(parts: { index: ShardLexicalIndex; accept?: (slot: number) => boolean }[], query: string, limit: number): (LexicalHit & { part: number })[] {
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

/** A shard's BM25 index that can also be searched alone (tests, and a store with one shard). */
export class LexicalIndex extends ShardLexicalIndex {
  search(query: string, limit: number, accept?: (id: string) => boolean): LexicalHit[] {
    return searchLexical([{ index: this, accept: accept && ((slot) => accept(this.ids[slot])) }], query, limit);
  }
}
