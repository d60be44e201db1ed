/**
 * The words of code and prose as the lexical index and its queries see them: camelCase, snake_case,
 * kebab-case and paths cut into parts, the whole identifier kept, plurals made singular, and the
 * names a chunk defines. Shared by the store (which builds each shard's BM25 index) and search
 * (which reads the query the same way), so it lives with neither.
 */
/** Words of code and prose: identifiers (with `$`, `_`), numbers, and accented letters. */
const WORD = /[\p{L}\p{N}_$]+/gu;
/** Where a camelCase or PascalCase word splits: fooBar → foo|Bar, HTTPServer → HTTP|Server. */
const CAMEL = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})|(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);
const MAX_TERM_LENGTH = 64;

/**
 * English plurals and third persons to their base form, for index and query alike: "returns" finds
 * `return`, "applies" finds `apply`, "matches" finds `match`, "headers" finds `getHeader`. Only the
 * -s endings: a fuller stemmer ("applied" → "appli") mangles identifiers more than it helps.
 */
export function singular(term: string): string {
  if (term.length < 4 || !term.endsWith('s') || /\d/.test(term)) return term;
  if (term.endsWith('ies') && term.length > 4) return term.slice(0, -3) + 'y';
  if (/(?:ss|x|ch|sh|z)es$/.test(term) && !term.endsWith('caches')) return term.slice(0, -2);
  if (/(?:ss|us|is|as|os)$/.test(term)) return term;
  return term.slice(0, -1);
}

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
