/**
 * Every path pattern Quipu matches: gitignore lines (`.gitignore`, `.quipuignore`, `quipu.exclude`,
 * `files.exclude`, `search.exclude`) and globs (`quipu.include`, `--glob`, search include/exclude from
 * the panel, the LM tool and MCP arguments). Patterns come from repositories and settings, so a
 * hostile one must not cost more than a few passes over the path.
 *
 * Why our own matcher: the `ignore` and `picomatch` packages compile patterns to backtracking
 * RegExps, and `a*a*a*a*a*a*b` against a name of 200 `a`s takes hours (exponential in the stars).
 * Here nothing backtracks beyond one step:
 * - a pattern is cut at `/` into segments; `**` as a whole segment matches any number of segments,
 *   every other segment exactly one;
 * - segments are matched with the classic greedy wildcard algorithm (on a mismatch, resume after the
 *   last `*` one character further on). Every other token (`?`, a class, a character) matches exactly
 *   one character, so the last star is the only choice worth revisiting: at most (name length)² steps
 *   per path segment, whatever the pattern;
 * - the same algorithm one level up, with `**` as the star and whole segments as characters.
 * So a test costs O(segments² × segment length²) at worst and, for the common shapes (a name, `*.ext`,
 * `dir/`), one string comparison. Nothing in an ignore file is refused for its complexity; a glob is
 * refused, with a message naming it, past MAX_GLOB_LENGTH characters or when its braces expand to more
 * than MAX_ALTERNATIVES patterns (the one cost that grows with the pattern).
 *
 * Semantics: git's (gitignore(5), wildmatch): `*`, `?`, `[a-z]`, `[!a]`/`[^a]`, `[[:alpha:]]`, `\x`,
 * `**` only as a whole segment (elsewhere it is `*`); gitignore lines add `#` comments, `!`
 * negation, trailing spaces dropped unless escaped, a `/` at the end for folders only, a `/` at the
 * start or middle anchoring the line to its file's folder, `foo/**` matching what is inside foo (not
 * foo), and are case-insensitive (as the `ignore` package was). Globs add braces `{a,b}`, `{1..3}`,
 * `@(a|b)` and `?(a|b)`, a leading `!` negating, and are case-sensitive; `src/**` also matches `src`.
 * The extglobs `+(…)`, `*(…)`, `!(…)` are refused (they would need a repeat inside a segment).
 */

/** Brace and extglob alternatives a glob may expand to. */
export const MAX_ALTERNATIVES = 256;
/** The longest glob taken (settings and arguments; ignore files' lines have no limit: they are only matched). */
export const MAX_GLOB_LENGTH = 4096;

export class PatternError extends Error {}

// ── segments ──

/** A token of a segment: a character code, ANY (`?`), STAR (`*`), or a class (index + CLASS_BASE). */
const STAR = -1;
const ANY = -2;
const CLASS_BASE = -3;

interface CharClass {
  negated: boolean;
  /** Inclusive code ranges. */
  ranges: number[];
  /** POSIX classes ([:alpha:] …). */
  named: ((code: number) => boolean)[];
}

type Segment =
  | { kind: 'globstar' }
  | { kind: 'literal'; text: string }
  | { kind: 'suffix'; text: string } // `*text`
  | { kind: 'prefix'; text: string } // `text*`
  | { kind: 'wild'; tokens: number[]; classes: CharClass[] };

const GLOBSTAR: Segment = { kind: 'globstar' };

const POSIX: Record<string, (c: number) => boolean> = {
  alnum: (c) => isDigit(c) || isAlpha(c),
  alpha: (c) => isAlpha(c),
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => isDigit(c),
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => c > 32 && c < 127 && !isDigit(c) && !isAlpha(c),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  word: (c) => isDigit(c) || isAlpha(c) || c === 95,
  xdigit: (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102),
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * One segment's text (escapes still in it) as tokens. `nocase`: the text is already lower-cased,
 * and [:upper:] stands for letters of either case.
 */
function compileSegment(text: string, nocase: boolean): Segment {
  if (text === '**') return GLOBSTAR;
  const tokens: number[] = [];
  const classes: CharClass[] = [];
  // Once a `[` has no closing `]`, none further on has one either: not looking again keeps this linear.
  let unclosed = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      // A trailing backslash escapes nothing: such a pattern matches nothing (as git).
      if (i + 1 >= text.length) return { kind: 'wild', tokens: [0], classes };
      tokens.push(text.charCodeAt(++i));
    } else if (ch === '*') {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR);
    } else if (ch === '?') {
      tokens.push(ANY);
    } else if (ch === '[') {
      const parsed: { cls: CharClass; end: number } | undefined = unclosed ? undefined : parseClass(text, i, nocase);
      unclosed ||= !parsed;
      if (!parsed) tokens.push(text.charCodeAt(i));
      else {
        tokens.push(CLASS_BASE - classes.length);
        classes.push(parsed.cls);
        i = parsed.end;
      }
    } else {
      tokens.push(text.charCodeAt(i));
    }
  }
  return simplify(tokens, classes);
}

/** The common shapes as string comparisons: `name`, `*.ext`, `prefix*`. */
function simplify(tokens: number[], classes: CharClass[]): Segment {
  const literal = (from: number, to: number) => {
    let text = '';
    for (let t = from; t < to; t++) {
      if (tokens[t] < 0) return undefined;
      text += String.fromCharCode(tokens[t]);
    }
    return text;
  };
  const whole = literal(0, tokens.length);
  if (whole !== undefined) return { kind: 'literal', text: whole };
  if (tokens[0] === STAR) {
    const rest = literal(1, tokens.length);
    if (rest !== undefined) return { kind: 'suffix', text: rest };
  }
  if (tokens[tokens.length - 1] === STAR) {
    const head = literal(0, tokens.length - 1);
    if (head !== undefined) return { kind: 'prefix', text: head };
  }
  return { kind: 'wild', tokens, classes };
}

/** A bracket expression starting at `start` (`[`), or undefined when it is not closed (a plain `[`). */
function parseClass(text: string, start: number, nocase: boolean): { cls: CharClass; end: number } | undefined {
  let i = start + 1;
  const cls: CharClass = { negated: false, ranges: [], named: [] };
  if (text[i] === '!' || text[i] === '^') {
    cls.negated = true;
    i++;
  }
  let first = true;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ']' && !first) return { cls, end: i };
    first = false;
    if (ch === '[' && text[i + 1] === ':') {
      const close = text.indexOf(':]', i + 2);
      const name = close > 0 ? text.slice(i + 2, close) : '';
      const test = POSIX[name];
      if (test) {
        cls.named.push(nocase && (name === 'upper' || name === 'lower') ? isAlpha : test);
        i = close + 2;
        continue;
      }
    }
    let lo: number;
    if (ch === '\\' && i + 1 < text.length) lo = text.charCodeAt(++i);
    else lo = text.charCodeAt(i);
    i++;
    let hi = lo;
    if (text[i] === '-' && i + 1 < text.length && text[i + 1] !== ']') {
      i++;
      if (text[i] === '\\' && i + 1 < text.length) i++;
      hi = text.charCodeAt(i);
      i++;
    }
    // A reversed range (`[z-a]`) matches nothing, as in git.
    if (lo <= hi) cls.ranges.push(lo, hi);
  }
  return undefined;
}

function inClass(cls: CharClass, c: number): boolean {
  let found = false;
  for (let r = 0; r < cls.ranges.length && !found; r += 2) found = c >= cls.ranges[r] && c <= cls.ranges[r + 1];
  for (let n = 0; n < cls.named.length && !found; n++) found = cls.named[n](c);
  // No class ever matches the separator (segments hold none, but keep it explicit).
  return c !== 47 && found !== cls.negated;
}

/** Greedy wildcard matching: on a mismatch, only the last `*` takes one more character. */
function matchWild(tokens: number[], classes: CharClass[], s: string): boolean {
  let t = 0;
  let i = 0;
  let starT = -1;
  let starI = 0;
  while (i < s.length) {
    if (t < tokens.length) {
      const token = tokens[t];
      if (token === STAR) {
        starT = t++;
        starI = i;
        continue;
      }
      const c = s.charCodeAt(i);
      if (token === ANY || token === c || (token <= CLASS_BASE && inClass(classes[CLASS_BASE - token], c))) {
        t++;
        i++;
        continue;
      }
    }
    if (starT < 0) return false;
    t = starT + 1;
    i = ++starI;
  }
  while (t < tokens.length && tokens[t] === STAR) t++;
  return t === tokens.length;
}

function matchSegment(segment: Segment, s: string): boolean {
  switch (segment.kind) {
    case 'literal':
      return s === segment.text;
    case 'suffix':
      return s.endsWith(segment.text);
    case 'prefix':
      return s.startsWith(segment.text);
    case 'wild':
      return matchWild(segment.tokens, segment.classes, s);
    case 'globstar':
      return true;
  }
}

/** The same greedy algorithm over segments: `**` is the star, a path segment the character. */
function matchSegments(pattern: Segment[], parts: string[], count: number): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < count) {
    if (p < pattern.length) {
      const segment = pattern[p];
      if (segment.kind === 'globstar') {
        starP = p++;
        starI = i;
        continue;
      }
      if (matchSegment(segment, parts[i])) {
        p++;
        i++;
        continue;
      }
    }
    if (starP < 0) return false;
    p = starP + 1;
    i = ++starI;
  }
  while (p < pattern.length && pattern[p].kind === 'globstar') p++;
  return p === pattern.length;
}

/** Splits at every `/` that is not escaped. */
function splitSegments(pattern: string): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '/') {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(pattern.slice(start));
  return parts;
}

/** Drops repeated globstars (`**\/**`): they match nothing more and only cost restarts. */
function compileSegments(parts: string[], nocase: boolean): Segment[] {
  const segments: Segment[] = [];
  for (const part of parts) {
    const segment = compileSegment(part, nocase);
    if (segment === GLOBSTAR && segments[segments.length - 1] === GLOBSTAR) continue;
    segments.push(segment);
  }
  return segments;
}

// ── gitignore ──

interface IgnoreRule {
  segments: Segment[];
  negated: boolean;
  dirOnly: boolean;
  /** For a line without a `/` (most): the one segment the path's last segment must match. */
  name?: Segment;
}

/** How a rule set judges a path: true ignored, false re-included (`!`), undefined no rule matched. */
export type IgnoreVerdict = boolean | undefined;

/**
 * The lines of one ignore file (or a list of settings' excludes), matched as git does: the last
 * matching line decides, and a path inside a folder the rules ignore is ignored (a file cannot be
 * re-included when its folder is excluded).
 */
export class IgnoreRules {
  private readonly rules: IgnoreRule[] = [];
  /** Verdicts on folders already asked about (a walk asks about each folder's entries in turn). */
  private readonly folderVerdicts = new Map<string, IgnoreVerdict>();

  constructor(lines: string | readonly string[]) {
    const list = typeof lines === 'string' ? lines.split(/\r?\n/) : lines;
    for (const text of list) {
      const rule = parseIgnoreLine(text);
      if (rule) this.rules.push(rule);
    }
  }

  get size(): number {
    return this.rules.length;
  }

  /** `path`: relative to the rules' folder, forward slashes; a trailing `/` marks a folder. */
  verdict(path: string): IgnoreVerdict {
    const isDir = path.endsWith('/');
    const parts = (isDir ? path.slice(0, -1) : path).toLowerCase().split('/');
    let prefix = '';
    for (let depth = 1; depth < parts.length; depth++) {
      prefix = depth === 1 ? parts[0] : `${prefix}/${parts[depth - 1]}`;
      let verdict = this.folderVerdicts.get(prefix);
      if (verdict === undefined && !this.folderVerdicts.has(prefix)) {
        verdict = this.judge(parts, depth, true);
        this.folderVerdicts.set(prefix, verdict);
      }
      if (verdict === true) return true;
    }
    return this.judge(parts, parts.length, isDir);
  }

  private judge(parts: string[], count: number, isDir: boolean): IgnoreVerdict {
    for (let r = this.rules.length - 1; r >= 0; r--) {
      const rule = this.rules[r];
      if (rule.dirOnly && !isDir) continue;
      const matched = rule.name ? matchSegment(rule.name, parts[count - 1]) : matchSegments(rule.segments, parts, count);
      if (matched) return !rule.negated;
    }
    return undefined;
  }
}

function parseIgnoreLine(raw: string): IgnoreRule | undefined {
  // Trailing spaces go unless escaped with a backslash (a loop: a RegExp would retry every start).
  let end = raw.length;
  while (end > 0 && raw[end - 1] === ' ' && raw[end - 2] !== '\\') end--;
  let text = raw.slice(0, end);
  if (!text || text.startsWith('#')) return undefined;
  let negated = false;
  if (text.startsWith('!')) {
    negated = true;
    text = text.slice(1);
  } else if (text.startsWith('\\!') || text.startsWith('\\#')) {
    text = text.slice(1);
  }
  let dirOnly = false;
  if (text.endsWith('/') && !text.endsWith('\\/')) {
    dirOnly = true;
    text = text.slice(0, -1);
  }
  if (!text) return undefined;
  let parts = splitSegments(text.toLowerCase());
  // A `/` at the start or in the middle anchors the line to its folder; otherwise it matches at any depth.
  if (parts.length === 1) parts = ['**', ...parts];
  else if (parts[0] === '') parts = parts.slice(1);
  // `foo/**` matches what is inside foo, not foo itself.
  if (parts[parts.length - 1] === '**') parts = [...parts.slice(0, -1), '*', '**'];
  const segments = compileSegments(parts, true);
  const name = segments.length === 2 && segments[0] === GLOBSTAR && segments[1] !== GLOBSTAR ? segments[1] : undefined;
  return { segments, negated, dirOnly, ...(name ? { name } : {}) };
}

// ── globs ──

/** A path predicate: true when the (folder-relative, forward-slash) path matches. */
export type PathMatcher = (path: string) => boolean;

/**
 * A glob (picomatch's syntax, as `--glob` and the include/exclude settings were read) or a list of
 * them, matching when any does. Throws PatternError, naming the pattern, for what it cannot match.
 */
export interface GlobOptions {
  /** `\` separates folders, as picomatch read globs on Windows (default: on Windows); else it escapes. */
  windows?: boolean;
}

export function compileGlobs(patterns: readonly string[], source = 'glob', options: GlobOptions = {}): PathMatcher {
  const windows = options.windows ?? process.platform === 'win32';
  // The alternatives of every plain glob are tried together, so a path is split at most once.
  const alternatives: Segment[][] = [];
  const negated: PathMatcher[] = [];
  for (const pattern of patterns) {
    const compiled = parseGlob(windows ? pattern.replaceAll('\\', '/') : pattern, source);
    if (compiled.negated) negated.push((path) => !matchAlternatives(compiled.alternatives, path));
    else alternatives.push(...compiled.alternatives);
  }
  if (negated.length === 0) return (path) => matchAlternatives(alternatives, path);
  return (path) => matchAlternatives(alternatives, path) || negated.some((match) => match(path));
}

export function compileGlob(pattern: string, source = 'glob', options: GlobOptions = {}): PathMatcher {
  return compileGlobs([pattern], source, options);
}

function parseGlob(pattern: string, source: string): { negated: boolean; alternatives: Segment[][] } {
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new PatternError(`${source} ${JSON.stringify(shorten(pattern))} is longer than ${MAX_GLOB_LENGTH} characters`);
  }
  let text = pattern;
  let negated = false;
  while (text.startsWith('!') && !text.startsWith('!(')) {
    negated = !negated;
    text = text.slice(1);
  }
  while (text.startsWith('./')) text = text.slice(2);
  const alternatives = expandAlternatives(text, pattern, source).map((alt) => {
    const parts = splitSegments(alt);
    // picomatch reads a leading `**.md` as `**/*.md`; so do we (elsewhere `**` inside a segment is `*`).
    if (parts[0].startsWith('**.')) parts.splice(0, 1, '**', parts[0].slice(1));
    return compileSegments(parts, false);
  });
  return { negated, alternatives };
}

/** Any of the alternatives; `**\/name` by the last segment alone, a literal first folder before splitting. */
function matchAlternatives(alternatives: Segment[][], path: string): boolean {
  let parts: string[] | undefined;
  let name: string | undefined;
  for (const segments of alternatives) {
    const first = segments[0];
    if (segments.length === 2 && first === GLOBSTAR && segments[1] !== GLOBSTAR) {
      name ??= path.slice(path.lastIndexOf('/') + 1);
      if (matchSegment(segments[1], name)) return true;
      continue;
    }
    if (first.kind === 'literal' && !(path.startsWith(first.text) && (path.length === first.text.length || path.charCodeAt(first.text.length) === 47))) continue;
    parts ??= path.split('/');
    if (matchSegments(segments, parts, parts.length)) return true;
  }
  return false;
}

/** Braces and the extglobs `@(a|b)`, `?(a|b)` as a list of plain globs. */
function expandAlternatives(text: string, pattern: string, source: string): string[] {
  const found = firstGroup(text, pattern, source);
  if (!found) return [text];
  const head = text.slice(0, found.start);
  const tail = text.slice(found.end + 1);
  const results: string[] = [];
  for (const choice of found.choices) {
    for (const expanded of expandAlternatives(head + choice + tail, pattern, source)) {
      results.push(expanded);
      if (results.length > MAX_ALTERNATIVES) {
        throw new PatternError(`${source} ${JSON.stringify(shorten(pattern))} expands to more than ${MAX_ALTERNATIVES} patterns: write fewer braces`);
      }
    }
  }
  return results;
}

/** The first brace or extglob group with a choice in it: `{a,b}`, `{1..3}`, `@(a|b)`, `?(a|b)`. */
function firstGroup(text: string, pattern: string, source: string): { start: number; end: number; choices: string[] } | undefined {
  const closes = groupCloses(text);
  for (const [open, close] of closes) {
    const ch = text[open];
    const extglob = ch === '(';
    if (extglob && (open === 0 || !'@?+*!'.includes(text[open - 1]))) continue;
    const inner = text.slice(open + 1, close);
    if (extglob) {
      const kind = text[open - 1];
      if (kind !== '@' && kind !== '?') {
        throw new PatternError(`${source} ${JSON.stringify(shorten(pattern))}: the extglob ${kind}(…) is not supported; use braces {a,b} or @(a|b)`);
      }
      const choices = splitTopLevel(inner, '|');
      return { start: open - 1, end: close, choices: kind === '?' ? ['', ...choices] : choices };
    }
    const range = /^(-?\d+|[a-zA-Z])\.\.(-?\d+|[a-zA-Z])$/.exec(inner);
    if (range) return { start: open, end: close, choices: rangeOf(range[1], range[2], pattern, source) };
    const choices = splitTopLevel(inner, ',');
    if (choices.length > 1) return { start: open, end: close, choices };
    // `{a}` is the text `{a}`, as in picomatch and bash; look for groups inside it.
  }
  return undefined;
}

/** Each `{` and `(` that is closed, with where, in order of opening: one pass, not escaped, not in a class. */
function groupCloses(text: string): [number, number][] {
  const pairs: [number, number][] = [];
  const braces: number[] = [];
  const parens: number[] = [];
  let unclosedClass = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') i++;
    else if (ch === '[' && !unclosedClass) {
      const cls = parseClass(text, i, false);
      if (cls) i = cls.end;
      else unclosedClass = true;
    } else if (ch === '{') braces.push(i);
    else if (ch === '(') parens.push(i);
    else if (ch === '}' && braces.length > 0) pairs.push([braces.pop()!, i]);
    else if (ch === ')' && parens.length > 0) pairs.push([parens.pop()!, i]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
}

function splitTopLevel(inner: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i];
    if (ch === '\\') i++;
    else if (ch === '{' || ch === '(') depth++;
    else if (ch === '}' || ch === ')') depth--;
    else if (ch === separator && depth === 0) {
      parts.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(inner.slice(start));
  return parts;
}

function rangeOf(from: string, to: string, pattern: string, source: string): string[] {
  const numeric = /\d/.test(from) && /\d/.test(to);
  const a = numeric ? Number(from) : from.charCodeAt(0);
  const b = numeric ? Number(to) : to.charCodeAt(0);
  if (Math.abs(b - a) >= MAX_ALTERNATIVES) {
    throw new PatternError(`${source} ${JSON.stringify(shorten(pattern))} expands to more than ${MAX_ALTERNATIVES} patterns: write a smaller range`);
  }
  const step = a <= b ? 1 : -1;
  const out: string[] = [];
  for (let v = a; ; v += step) {
    out.push(numeric ? String(v) : String.fromCharCode(v));
    if (v === b) break;
  }
  return out;
}

function shorten(pattern: string): string {
  return pattern.length > 80 ? `${pattern.slice(0, 77)}…` : pattern;
}
