import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  describeDeepTier,
  describeFilters,
  describeIndexing,
  describePaused,
  fileIcon,
  formatElapsed,
  formatEta,
  formatLocation,
  formatRate,
  formatScore,
  highlight,
  plural,
  progressRatio,
  queryTerms,
  shortFormsOf,
  restoreViewState,
  snippetLines,
  splitPath,
  summarizeResults,
  type Segment,
} from '../../src/webview/format';
import { hasFilters, parseGlobs, parseTypes, sameIntent } from '../../src/shared/search-intent';

/** Marked parts only, for short assertions. */
const marks = (segments: Segment[]): string[] => segments.filter((s) => s.mark).map((s) => s.text);
const joined = (segments: Segment[]): string => segments.map((s) => s.text).join('');

describe('query terms', () => {
  test('drop stop words and one-letter words, lower-case, cut plural and verb endings, longest first', () => {
    assert.deepEqual(queryTerms('Where are the Passwords hashed?'), ['password', 'hash']);
    assert.deepEqual(queryTerms('a b c'), []);
    assert.deepEqual(queryTerms('files indexing uses'), ['index', 'file', 'uses']);
  });

  test('dedupe words that stem alike', () => {
    assert.deepEqual(queryTerms('token tokens'), ['token']);
  });

  test('keep letters and digits of any script', () => {
    assert.deepEqual(queryTerms('Größe utf8 — 日本語'), ['größe', 'utf8', '日本語']);
  });
});

describe('highlight', () => {
  test('marks words case-insensitively and gives the text back unchanged', () => {
    const text = 'Hash the PASSWORD before saving: password hashing.';
    const segments = highlight(text, queryTerms('password hash'));
    assert.equal(joined(segments), text);
    assert.deepEqual(marks(segments), ['Hash', 'PASSWORD', 'password', 'hashing']);
  });

  test('marks at word starts and camelCase parts, not inside words', () => {
    assert.deepEqual(marks(highlight('hashPassword(userPassword) compass', ['pass'])), ['Password', 'Password']);
    assert.deepEqual(marks(highlight('password_hash, re-hash, rehash', ['hash'])), ['hash', 'hash']);
    assert.deepEqual(marks(highlight('MAX_TOKENS maxTokens', ['token'])), ['TOKENS', 'Tokens']);
  });

  test('a longer term wins over its prefix', () => {
    assert.deepEqual(highlight('indexer', ['index', 'indexer']), [{ text: 'indexer', mark: true }]);
  });

  test('no terms, or no match, give one plain segment; empty text gives none', () => {
    assert.deepEqual(highlight('plain text', []), [{ text: 'plain text', mark: false }]);
    assert.deepEqual(highlight('plain text', ['zebra']), [{ text: 'plain text', mark: false }]);
    assert.deepEqual(highlight('', ['x']), []);
  });

  test('marks the forms the search matched a long word or its abbreviation by, whole word parts only', () => {
    const terms = queryTerms('concatenating the serialization message');
    const forms = shortFormsOf('concatenating the serialization message');
    assert.ok(forms.has('msg'));
    const text = 'const msg = serialize(concat(a, b)); msgId dbg conceal';
    assert.deepEqual(marks(highlight(text, terms, forms)), ['msg', 'serialize', 'concat', 'msg']);
    assert.equal(joined(highlight(text, terms, forms)), text);
    // Without the query's abbreviations, "msg" stays plain.
    assert.deepEqual(marks(highlight(text, terms)), ['serialize', 'concat']);
  });

  test('markup in a file stays text: segments hold it verbatim', () => {
    const text = '<img src=x onerror=alert(1)> <script>alert(1)</script>';
    const segments = highlight(text, ['script', 'img']);
    assert.equal(joined(segments), text);
    assert.deepEqual(marks(segments), ['img', 'script', 'script']);
  });
});

describe('snippet lines', () => {
  const texts = (lines: { text: string }[]) => lines.map((l) => l.text);

  test('drop blank lines and the "…" line, remove common indentation, keep at most n lines', () => {
    const snippet = '\n    function hash(p) {\n      return sha(p);\n    }\n\n    export {};\n    x();\n…';
    assert.deepEqual(texts(snippetLines(snippet, 1, 4)), ['function hash(p) {', '  return sha(p);', '}', 'export {};']);
    assert.deepEqual(texts(snippetLines(snippet, 1, 10)), ['function hash(p) {', '  return sha(p);', '}', 'export {};', 'x();']);
    assert.deepEqual(texts(snippetLines('    a\n  b…', 1, 4)), ['  a', 'b…']);
  });

  test('each line keeps its line in the file, blank lines skipped', () => {
    const snippet = '\n    function hash(p) {\n      return sha(p);\n    }\n\n    export {};\n…';
    assert.deepEqual(
      snippetLines(snippet, 40).map((l) => l.line),
      [41, 42, 43, 45],
    );
  });

  test('handle CRLF, tabs and very long lines', () => {
    assert.deepEqual(texts(snippetLines('\tA\r\n\t\tB\r\n', 1, 4)), ['A', '\tB']);
    assert.equal(snippetLines('x'.repeat(1000), 1, 4, 100)[0].text.length, 100);
    assert.deepEqual(snippetLines('   \n \n', 1), []);
  });
});

describe('filters', () => {
  test('file types: commas, semicolons or spaces; dots and stars dropped; lower case; no duplicates', () => {
    assert.deepEqual(parseTypes('ts, md, pdf'), ['ts', 'md', 'pdf']);
    assert.deepEqual(parseTypes(' .TS;*.md  md,,'), ['ts', 'md']);
    assert.deepEqual(parseTypes(''), []);
  });

  test('globs: commas separate, except inside braces and brackets', () => {
    assert.deepEqual(parseGlobs('src/**, docs/*.md'), ['src/**', 'docs/*.md']);
    assert.deepEqual(parseGlobs('**/*.{ts,tsx}, [a,b]*.js ,, '), ['**/*.{ts,tsx}', '[a,b]*.js']);
    assert.deepEqual(parseGlobs('  '), []);
    assert.deepEqual(parseGlobs('a,a'), ['a']);
  });

  test('filters are active only when a field holds something, and are described in one line', () => {
    const intent = { query: 'q', include: ' ', exclude: '', types: '' };
    assert.equal(hasFilters(intent), false);
    assert.equal(hasFilters({ ...intent, types: 'ts' }), true);
    assert.equal(hasFilters({ ...intent, mode: 'lexical' }), true, 'a ranking other than the default is a filter too');
    assert.equal(describeFilters({ query: 'q', include: 'src/**', exclude: 'test/**, *.spec.ts', types: 'ts,md' }), 'types ts, md · include src/** · exclude test/**, *.spec.ts');
    assert.equal(describeFilters({ query: 'q', include: '', exclude: '', types: '', mode: 'vector' }), 'ranking: meaning only');
  });

  test('intents compare without surrounding spaces', () => {
    const a = { query: 'hash ', include: '', exclude: '', types: '' };
    assert.equal(sameIntent(a, { ...a, query: ' hash' }), true);
    assert.equal(sameIntent(a, { ...a, types: 'ts' }), false);
    assert.equal(sameIntent(a, { ...a, mode: 'vector' }), false);
    assert.equal(sameIntent(a, { ...a, mode: '' }), true, 'no mode and the default mode are the same');
  });

  test('saved state is restored defensively', () => {
    assert.deepEqual(restoreViewState(undefined), { intent: { query: '', include: '', exclude: '', types: '', mode: '' }, filtersShown: false });
    assert.deepEqual(restoreViewState({ intent: { query: 'q', include: 3, types: 'ts', mode: 'nonsense' }, filtersShown: true, results: [1] }), {
      intent: { query: 'q', include: '', exclude: '', types: 'ts', mode: '' },
      filtersShown: true,
    });
  });
});

describe('formatting', () => {
  test('locations', () => {
    assert.equal(formatLocation({ startLine: 10, endLine: 42 }), 'lines 10–42');
    assert.equal(formatLocation({ startLine: 7, endLine: 7 }), 'line 7');
    assert.equal(formatLocation({ startLine: 10, endLine: 42, page: 3 }), 'lines 10–42 · page 3');
  });

  test('scores, counts, durations', () => {
    assert.equal(formatScore(0.8234), '0.82');
    assert.equal(formatScore(Number.NaN), '–');
    assert.equal(plural(1, 'result'), '1 result');
    assert.equal(plural(1204, 'file'), '1,204 files');
    assert.equal(formatElapsed(84.4), '84 ms');
    assert.equal(formatElapsed(1250), '1.3 s');
    const group = (n: number) => ({ folderName: 'w', uri: 'file:///w/a', path: 'a', kind: 'text' as const, results: Array.from({ length: n }, () => ({ startLine: 1, endLine: 2, score: 0.5, snippet: '', snippetStartLine: 1 })) });
    assert.equal(summarizeResults([group(3), group(1)], 84), '4 results in 2 files · 84 ms');
    assert.equal(summarizeResults([group(1)], 1500), '1 result in 1 file · 1.5 s');
  });

  test('time left', () => {
    assert.equal(formatEta(undefined), undefined);
    assert.equal(formatEta(Number.NaN), undefined);
    assert.equal(formatEta(4), 'a few seconds left');
    assert.equal(formatEta(43), '~45 s left');
    assert.equal(formatEta(75), '~1 min left');
    assert.equal(formatEta(3600), '~1 h left');
    assert.equal(formatEta(2 * 3600 + 5 * 60), '~2 h 5 min left');
  });

  test('indexing line, paused line and progress ratio', () => {
    const progress = { filesDone: 120, filesTotal: 400, chunksPerSecond: 35.4, etaSeconds: 70 };
    assert.equal(describeIndexing(progress), 'Indexing 120 / 400 files · 35 chunks/s · ~1 min left');
    assert.equal(describeIndexing({ filesDone: 12, chunksPerSecond: 2.5 }), 'Indexing 12 files · 2.5 chunks/s');
    assert.equal(describeIndexing({ filesDone: 0, filesTotal: 1, chunksPerSecond: 0 }), 'Indexing 0 / 1 file');
    assert.equal(describeIndexing(undefined), 'Indexing…');
    assert.equal(describePaused(progress), 'Paused at 120 / 400 files');
    assert.equal(describePaused(undefined), 'Paused');
    assert.equal(formatRate(9.96), '10 chunks/s');
    assert.equal(formatRate(1200.4), '1,200 chunks/s');
    assert.equal(progressRatio(progress), 0.3);
    assert.equal(progressRatio({ filesDone: 3, chunksPerSecond: 1 }), undefined);
    assert.equal(progressRatio({ filesDone: 0, filesTotal: 0, chunksPerSecond: 0 }), 1);
  });

  test('the deep tier line: while incomplete only, and where it stands', () => {
    const tiers = { plan: 'fast-deep' as const, fast: 600, deep: 400, deepPercent: 40, deepIncomplete: true, deepRunning: true, deepPending: true };
    assert.equal(describeDeepTier(tiers), 'Deep tier 40% · computing in the background');
    assert.equal(describeDeepTier({ ...tiers, deepRunning: false }), 'Deep tier 40% · waiting for other indexing');
    assert.equal(describeDeepTier({ ...tiers, deepRunning: false, deepPending: false }), 'Deep tier 40%');
    assert.equal(describeDeepTier({ ...tiers, fast: 0, deep: 1000, deepPercent: 100, deepIncomplete: false }), undefined);
    assert.equal(describeDeepTier(undefined), undefined);
  });

  test('paths and icons', () => {
    assert.deepEqual(splitPath('src/auth/password.ts'), { name: 'password.ts', folder: 'src/auth' });
    assert.deepEqual(splitPath('README.md'), { name: 'README.md', folder: '' });
    assert.equal(fileIcon('pdf', 'a/b.pdf'), 'file-pdf');
    assert.equal(fileIcon('docx', 'a/b.docx'), 'book');
    assert.equal(fileIcon('text', 'docs/Guide.MD'), 'markdown');
    assert.equal(fileIcon('text', 'notes.txt'), 'file-text');
    assert.equal(fileIcon('text', 'Makefile'), 'file-text');
    assert.equal(fileIcon('text', '.config/x.ts'), 'file-code');
    assert.equal(fileIcon('text', 'dir.d/.env'), 'file-text');
  });
});
