/**
 * When a word in the code is another form of a word in the query. Prose names what code abbreviates
 * or inflects differently: "concatenating" → `concat`, "configuration" → `config`, "serialization" →
 * `serialize`, "message" → `msg`; and plurals, "headers" → `header` (`singular`, which the tokenizer
 * applies to index and query alike). The lexical ranking matches these forms on the query side only
 * (indexes stay as they are), and the search panel marks them; both read the rules here. No Node or
 * DOM dependencies, so the webview bundles it too. Measured: bench/QUALITY-EXPERIMENTS.md §8.
 */
import { singular } from '../text/code-terms';
import { ABBREVIATIONS } from './abbreviations';

// The tokenizer's singular lives with the tokenizer (index and query both use it); the panel reads it here.
export { singular };

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


/** ABBREVIATIONS keyed and valued in the tokenizer's form (singular, lower case). */
const SHORT_FORMS = new Map<string, string[]>();
for (const [word, forms] of Object.entries(ABBREVIATIONS)) {
  const key = singular(word);
  const all = new Set([...(SHORT_FORMS.get(key) ?? []), ...forms.map(singular)]);
  all.delete(key);
  SHORT_FORMS.set(key, [...all]);
}

/** The abbreviations code uses for a word as the tokenizer leaves it ("argument" → `arg`). */
export function shortFormsOf(term: string): readonly string[] {
  return SHORT_FORMS.get(term) ?? [];
}
