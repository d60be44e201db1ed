/**
 * files/glob.ts: gitignore lines and globs with the semantics git and picomatch gave them, matched
 * without backtracking (the hostile shapes below finish whatever their size; no timing is asserted).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileGlob, compileGlobs, IgnoreRules, MAX_ALTERNATIVES, MAX_GLOB_LENGTH, PatternError } from '../../src/core/files/glob';

/** [rules, path, verdict]: true ignored, false re-included, undefined no rule matched. */
const IGNORE_CASES: [string, string, boolean | undefined][] = [
  // A line without a slash matches at any depth; with one (start or middle), from its folder.
  ['*.log', 'debug.log', true],
  ['*.log', 'a/b/debug.log', true],
  ['*.log', 'debug.log.txt', undefined],
  ['foo', 'a/foo/', true],
  ['/foo', 'foo', true],
  ['/foo', 'a/foo', undefined],
  ['a/b', 'x/a/b', undefined],
  ['a/b', 'a/b', true],
  // A trailing slash: folders only, and what is inside them.
  ['build/', 'build', undefined],
  ['build/', 'build/', true],
  ['build/', 'src/build/out.js', true],
  ['foo/bar/', 'a/foo/bar/', undefined],
  // `**`: leading, middle, trailing (inside only), and as a plain star inside a segment.
  ['**/foo', 'foo', true],
  ['**/foo', 'a/b/foo', true],
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['foo/**', 'foo/', undefined],
  ['foo/**', 'foo/x', true],
  ['a**b', 'axyb', true],
  ['a**b', 'ax/yb', undefined],
  // A file inside an ignored folder stays ignored (the folder is never entered).
  ['generated/*\n!generated/keep.ts', 'generated/keep.ts', false],
  ['generated/*\n!generated/keep.ts', 'generated/out.ts', true],
  ['a/*', 'a/b/c', true],
  ['secret/\n!secret/open.md', 'secret/open.md', true],
  // The last matching line decides; `!` re-includes.
  ['*.md\n!deploy.md', 'deploy.md', false],
  ['!deploy.md\n*.md', 'deploy.md', true],
  // Escapes, comments, trailing spaces, classes, case.
  ['\\#a', '#a', true],
  ['#a', '#a', undefined],
  ['\\!a', '!a', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', undefined],
  ['foo  ', 'foo', true],
  ['foo\\ ', 'foo ', true],
  ['[a-c]x', 'bx', true],
  ['[a-c]x', 'dx', undefined],
  ['[!a]x', 'bx', true],
  ['[^a]x', 'ax', undefined],
  ['[[:digit:]].txt', '7.txt', true],
  ['[]a]', ']', true],
  ['[z-a]', 'z', undefined],
  ['a?', 'a/', undefined],
  ['*.LOG', 'a.log', true],
  ['a\\', 'a', undefined],
];

test('gitignore lines are matched as git matches them', () => {
  for (const [rules, path, expected] of IGNORE_CASES) {
    assert.equal(new IgnoreRules(rules).verdict(path), expected, `${JSON.stringify(rules)} on ${JSON.stringify(path)}`);
  }
  assert.equal(new IgnoreRules('# only a comment\n\n   \n').size, 0);
  assert.equal(new IgnoreRules(['node_modules/', '*.min.js']).verdict('web/app.min.js'), true, 'a list of settings lines');
});

const GLOB_CASES: [string, string, boolean][] = [
  ['src/**', 'src', true],
  ['src/**', 'src/a/b.ts', true],
  ['*.ts', 'a.ts', true],
  ['*.ts', 'src/a.ts', false],
  ['**/*.ts', 'a.ts', true],
  ['**/*.ts', 'src/deep/a.ts', true],
  ['**.md', 'docs/guide.md', true],
  ['src/*.ts', 'src/a/b.ts', false],
  ['*', '.env', true],
  ['?.md', 'a.md', true],
  ['?.md', 'ab.md', false],
  ['{src,test}/**/*.ts', 'test/unit/x.ts', true],
  ['{src,test}/**/*.ts', 'bench/x.ts', false],
  ['a/{b,c/d}', 'a/c/d', true],
  ['{,a}x', 'x', true],
  ['file{1..3}.txt', 'file2.txt', true],
  ['file{1..3}.txt', 'file4.txt', false],
  ['a{b}c', 'a{b}c', true],
  ['{a,b', '{a,b', true],
  ['@(src|lib)/*.js', 'lib/x.js', true],
  ['?(x)y', 'y', true],
  ['?(x)y', 'xy', true],
  ['!**/*.test.ts', 'src/a.ts', true],
  ['!**/*.test.ts', 'src/a.test.ts', false],
  ['./src/*', 'src/a', true],
  ['[[:alpha:]]*', 'x1', true],
  ['[a-]', '-', true],
  ['a\\*', 'a*', true],
  ['src/', 'src', false],
  ['a/**/b', 'a/b', true],
  ['Src/**', 'src/a', false],
];

test('globs are matched as picomatch matched them (dot files included, case-sensitive)', () => {
  for (const [glob, path, expected] of GLOB_CASES) assert.equal(compileGlob(glob, 'glob', { windows: false })(path), expected, `${JSON.stringify(glob)} on ${JSON.stringify(path)}`);
  assert.equal(compileGlob('src\\**\\*.ts', 'glob', { windows: true })('src/a/b.ts'), true, 'a Windows glob, backslashes as separators');
  assert.equal(compileGlob('a\\*', 'glob', { windows: false })('a*'), true, 'elsewhere a backslash escapes');
  const either = compileGlobs(['*.md', 'src/**']);
  assert.equal(either('README.md'), true);
  assert.equal(either('src/x/y.ts'), true);
  assert.equal(either('test/y.ts'), false);
});

test('what cannot be matched is refused with the pattern named', () => {
  assert.throws(() => compileGlob('+(a|b).ts', 'include glob'), (e: Error) => e instanceof PatternError && /include glob "\+\(a\|b\)\.ts".*not supported/.test(e.message));
  assert.throws(() => compileGlob('*(a).ts'), PatternError);
  assert.throws(() => compileGlob('!(a).ts'), PatternError);
  const braces = '{a,b}'.repeat(Math.ceil(Math.log2(MAX_ALTERNATIVES)) + 1);
  assert.throws(() => compileGlob(braces, 'exclude glob'), (e: Error) => e instanceof PatternError && /exclude glob .* more than 256 patterns/.test(e.message));
  assert.throws(() => compileGlob('x{1..100000}'), PatternError);
  assert.throws(() => compileGlob('a'.repeat(MAX_GLOB_LENGTH + 1)), /longer than 4096 characters/);
});

test('hostile shapes finish: stars against long names, many brackets, a long line of spaces', () => {
  const name = 'a'.repeat(200);
  // Exponential for a backtracking RegExp (the `ignore` package took hours on this one).
  assert.equal(new IgnoreRules('a*a*a*a*a*a*b').verdict(name), undefined);
  assert.equal(new IgnoreRules('a*a*a*a*a*a*a').verdict(name), true);
  assert.equal(new IgnoreRules('**/a*a*a*a*a*a*b/**').verdict(`${name}/${name}/${name}`), undefined);
  assert.equal(compileGlob('**/a*a*a*a*a*a*b')(`${name}/${name}`), false);
  assert.equal(compileGlob(`${'**/'.repeat(30)}b`)(`${'a/'.repeat(300)}c`), false);
  assert.equal(compileGlob(`${'*a'.repeat(1000)}b`)(name), false);
  // Linear parsing: unclosed brackets and braces, trailing spaces before a character.
  assert.equal(new IgnoreRules('['.repeat(100_000)).verdict('x'), undefined);
  assert.equal(compileGlob('{['.repeat(2000))('x'), false);
  assert.equal(new IgnoreRules(`${' '.repeat(100_000)}x`).verdict(`${' '.repeat(100_000)}x`), true);
});
