/**
 * What kind of question a query is, read from its shape alone (no index needed): a symbol to look up
 * (`Router`, `parse_args`, `Foo::bar`, `Command.ExecuteC`), a path (`src/router/index.js`), a quoted
 * phrase, or words in natural language. The ranking stack's weights follow from it, and so do the
 * priors that give way when the question asks for tests, docs, examples or type declarations.
 */

export type QueryKind = 'symbol' | 'path' | 'phrase' | 'natural';

/** File roles the priors rank below implementation unless the query asks for them. */
export type AskedRole = 'test' | 'doc' | 'example' | 'stub';

export interface QueryIntent {
  kind: QueryKind;
  /**
   * Names whose definitions the query asks for, most specific first: for `Foo::bar`, `Foo.bar` and
   * `bar`; for a sentence, the camelCase/PascalCase/snake_case identifiers written in it.
   */
  names: string[];
  /** Content words, lower-case, for matching file and folder names. */
  words: string[];
  /** Roles the query names ("tests for …", "docs on …", "example of …", "type declarations"). */
  asks: ReadonlySet<AskedRole>;
}

/** Separators of qualified names across languages: `Foo::bar`, `Foo.bar`, `Foo#bar`, `Foo->bar`, `Foo\Bar`. */
const QUALIFIER = /::|->|[.#\\]/;
const IDENT = '[A-Za-z_$][\\w$]*';
const SYMBOL_QUERY = new RegExp(`^${IDENT}(?:(?:::|->|[.#\\\\])${IDENT})*(?:\\(\\))?$`);
/** Identifiers inside a sentence that are surely code: camelCase, PascalCase with an inner capital, snake_case, `a.b`. */
const EMBEDDED_IDENTIFIER = /\b(?:[a-z]+[A-Z][\w$]*|[A-Z][a-z0-9]+[A-Z][\w$]*|[A-Za-z][a-z0-9]*_[\w$]+|[A-Za-z_$][\w$]*(?:(?:::|->|\.)[A-Za-z_$][\w$]*)+\(?\)?)\b/g;
const PATH_QUERY = /^[\w@.~-]*(?:\/[\w@.~-]+)+\/?$|^[\w@-]+\.[a-z][a-z0-9]{0,5}$/i;

const STOP_WORDS = new Set(
  (
    'a an and are as at be by can do does for from get gets has have how i if in into is it its me my of on or set ' +
    'that the their them then there these this those to use used uses using via was what when where which who why ' +
    'will with without work works would you code find function method file files'
  ).split(' '),
);

const ASKS: [AskedRole, RegExp][] = [
  ['test', /\b(?:tests?|testing|tested|specs?|unit[- ]?tests?|test[- ]?cases?|fixtures?)\b/i],
  ['doc', /\b(?:docs?|documentation|documented|readme|guide|tutorial|manual|changelog)\b/i],
  ['example', /\b(?:examples?|samples?|demos?)\b/i],
  ['stub', /\b(?:type (?:declarations?|definitions?|stubs?)|typings|\.d\.ts|\.pyi|stubs?)\b/i],
];

export function queryIntent(query: string): QueryIntent {
  const text = query.trim();
  const asks = new Set<AskedRole>(ASKS.filter(([, pattern]) => pattern.test(text)).map(([role]) => role));
  if (/^".+"$/.test(text)) return { kind: 'phrase', names: [], words: contentWords(text), asks };
  if (PATH_QUERY.test(text) && !SYMBOL_QUERY.test(text)) return { kind: 'path', names: [], words: contentWords(text), asks };
  if (SYMBOL_QUERY.test(text) && looksLikeCode(text)) return { kind: 'symbol', names: namesOf(text.replace(/\(\)$/, '')), words: contentWords(text), asks };
  const names = [...new Set([...text.matchAll(EMBEDDED_IDENTIFIER)].flatMap(([match]) => namesOf(match.replace(/\(\)$/, ''))))];
  // One lower-case word ("dispatch") may be a name or a topic: its definitions count as for a name in a sentence.
  if (names.length === 0 && /^[a-z][a-z0-9]{2,}$/.test(text) && !STOP_WORDS.has(text)) names.push(text);
  return { kind: 'natural', names, words: contentWords(text), asks };
}

/**
 * A single word is a symbol when it could only be code: a capital inside or at the start
 * (`Router`, `parseArgs`), an underscore, a `$`, a qualifier, or call parentheses. A plain lower-case
 * word ("session") is a natural-language query.
 */
function looksLikeCode(text: string): boolean {
  return /[A-Z]|_|\$|\(\)$/.test(text) || QUALIFIER.test(text);
}

/** `Foo::bar` → [`Foo.bar`, `bar`]: the qualified name with one separator, then the last part. */
function namesOf(identifier: string): string[] {
  const parts = identifier.split(QUALIFIER).filter(Boolean);
  const last = parts[parts.length - 1];
  if (!last) return [];
  return parts.length > 1 ? [parts.join('.'), last] : [last];
}

function contentWords(text: string): string[] {
  const words = new Set<string>();
  for (const [word] of text.matchAll(/[A-Za-z][A-Za-z0-9]*/g)) {
    for (const part of splitIdentifier(word)) if (part.length > 2 && !STOP_WORDS.has(part)) words.add(part);
  }
  return [...words];
}

/** `HandlerStack` → handlerstack, handler, stack; `my_func` is split at `_` by the caller's regex. */
export function splitIdentifier(word: string): string[] {
  const lower = word.toLowerCase();
  const parts = word.split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).map((p) => p.toLowerCase());
  return parts.length > 1 ? [lower, ...parts] : [lower];
}
