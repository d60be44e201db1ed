/**
 * Definitions found by name, for a query that names symbols (`Router`, `Foo::bar`, a camelCase word
 * in a sentence). Two things the fused rankings cannot do alone:
 *   - a definition neither ranking brought (a short class behind sixty chunks that use its name)
 *     joins the candidates: the BM25 index's symbol field says which chunks name the word;
 *   - a candidate that defines the name in its text counts as a definition even when its enclosing
 *     symbol is another one (a module chunk defining several functions).
 * The text decides (`definedNames`), not the symbol field alone: `router` there also matches
 * `RouterOptions` and the methods of `Router`.
 */
import { definedNames, tokenizeCode } from '../text/code-terms';
import type { LexicalPart } from '../store/vector-store';
import type { Candidate } from './rank';

/** Chunks naming a word that are read to look for its definition, per name and per part (bounds a query's work). */
const MAX_NAMING_CHUNKS = 64;

export interface SourcedPart extends LexicalPart {
  /** Which source the part belongs to (an index into `searchStores`' sources). */
  source: number;
}

export interface Definitions {
  /** Candidates that define a queried name and that neither ranking returned (scored as the lowest candidate: the ranking stack lifts them). */
  added: Candidate[];
  /** The names each candidate (old or added) defines in its text, by candidate id, for the ranking stack. */
  namesDefined: Map<string, string[]>;
}

/**
 * Looks up the definitions of `names` (the query intent's, most specific first) among the chunks
 * whose symbol field holds the name's word, over every lexical part.
 */
export async function findDefinitions(
  names: readonly string[],
  candidates: readonly Candidate[],
  parts: readonly SourcedPart[],
  keyOf: (source: number, id: string) => string,
  textOf: (candidate: Candidate) => Promise<string>,
): Promise<Definitions> {
  const bare = [...new Set(names.map((name) => name.slice(name.lastIndexOf('.') + 1)).filter(Boolean))];
  const added: Candidate[] = [];
  const namesDefined = new Map<string, string[]>();
  if (bare.length === 0) return { added, namesDefined };
  const known = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  // Neither ranking returned it, so it ranks as if just below their cut, before the stack lifts it.
  let lowest = Infinity;
  for (const candidate of candidates) lowest = Math.min(lowest, candidate.score);
  const unranked = Number.isFinite(lowest) ? lowest : 0;
  const naming = new Map<string, Candidate>();
  for (const name of bare) {
    const term = tokenizeCode(name)[0];
    if (!term) continue;
    for (const part of parts) {
      for (const slot of part.index.slotsNaming(term, MAX_NAMING_CHUNKS)) {
        if (!part.accept(slot)) continue;
        const id = part.index.idAt(slot);
        const key = keyOf(part.source, id);
        if (naming.has(key)) continue;
        naming.set(key, known.get(key) ?? { id: key, score: unranked, source: part.source, hit: part.hitOf(slot, id, unranked) });
      }
    }
  }
  const lower = new Set(bare.map((name) => name.toLowerCase()));
  await Promise.all(
    [...naming.values()].map(async (candidate) => {
      const defined = definedNames(await textOf(candidate)).filter((name) => lower.has(name.toLowerCase()));
      if (defined.length === 0) return;
      namesDefined.set(candidate.id, defined);
      if (!known.has(candidate.id)) added.push(candidate);
    }),
  );
  return { added, namesDefined };
}
