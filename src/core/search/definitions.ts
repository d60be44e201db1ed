/**
 * Definitions found by name, for a symbol query (`Router`, `Foo::bar`). Two things the fused rankings
 * cannot do alone:
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

/** Chunks naming a word that are read to look for its definition, per name over every part (bounds a query's text reads). */
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
    // The chunks the word dominates most, over every part (each part gives its best, then one cut).
    const named = parts
      .flatMap((part) => part.index.slotsNaming(term, MAX_NAMING_CHUNKS).filter(({ slot }) => part.accept(slot)).map(({ slot, share }) => ({ part, slot, share })))
      .sort((a, b) => b.share - a.share)
      .slice(0, MAX_NAMING_CHUNKS);
    for (const { part, slot } of named) {
      const id = part.index.idAt(slot);
      const key = keyOf(part.source, id);
      if (!naming.has(key)) naming.set(key, known.get(key) ?? { id: key, score: unranked, source: part.source, hit: part.hitOf(slot, id, unranked) });
    }
  }
  const lower = new Set(bare.map((name) => name.toLowerCase()));
  const read = await Promise.all([...naming.values()].map(async (candidate) => ({ candidate, defined: definedNames(await textOf(candidate)).filter((name) => lower.has(name.toLowerCase())) })));
  for (const { candidate, defined } of read) {
    if (defined.length === 0) continue;
    namesDefined.set(candidate.id, defined);
    if (!known.has(candidate.id)) added.push(candidate);
  }
  return { added, namesDefined };
}
