/**
 * When a word in the code is another form of a word in the query. Prose names what code abbreviates
 * or inflects differently: "concatenating" → `concat`, "configuration" → `config`, "serialization" →
 * `serialize`, "message" → `msg`. The lexical ranking matches these forms on the query side only
 * (indexes stay as they are), and the search panel marks them; both read the rules here. No Node or
 * DOM dependencies, so the webview bundles it too. Measured: bench/QUALITY-EXPERIMENTS.md §8.
 */
import { ABBREVIATIONS } from './abbreviations';

/** Query words shorter than this relate to no other form (too many words share short starts). */
export const RELATED_MIN_QUERY_LENGTH = 6;
/** A start of the query word counts from this length ("conc" of "concatenating" does not). */
export const START_MIN_LENGTH = 4;
/** Siblings share at least this many first characters… */
export const SIBLING_STEM_LENGTH = 5;
/** …and at least this share of the longer word ("serializ" is 8 of 13 in "serialization"). */
export const SIBLING_MIN_SHARE = 0.6;

/**
 * How closely `form` relates to the long query word `word`, as the share of the longer of the two
 * they have in common: a start of it ("concat" for "concatenating", 6 of 13) or a sibling with the
 * same stem ("serialize" for "serialization", 8 of 13). Undefined when it is neither, or the same word,
 * or a completion of it (the lexical index matches those as prefixes already).
 */
export function relatedFormShare(form: string, word: string): number | undefined {
  if (word.length < RELATED_MIN_QUERY_LENGTH || /\d/.test(word) || form === word || form.startsWith(word)) return undefined;
  if (form.length >= START_MIN_LENGTH && word.startsWith(form)) return form.length / word.length;
  if (form.slice(0, SIBLING_STEM_LENGTH) !== word.slice(0, SIBLING_STEM_LENGTH)) return undefined;
  let common = 0;
  while (common < form.length && common < word.length && form[common] === word[common]) common++;
  const share = common / Math.max(form.length, word.length);
  return share >= SIBLING_MIN_SHARE ? share : undefined;
}

/** The abbreviations code uses for a word, from ABBREVIATIONS ("messages" → `msgs`, `msg`). */
export function shortFormsOf(word: string): readonly string[] {
  return ABBREVIATIONS[word] ?? [];
}
