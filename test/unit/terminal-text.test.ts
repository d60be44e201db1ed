import assert from 'node:assert/strict';
import { test } from 'node:test';
import { terminalSafe } from '../../src/cli/terminal-text';
import { CLEAR, TITLE } from '../hostile-text';

test('terminalSafe shows control characters as visible escapes, as git and less do', () => {
  assert.equal(terminalSafe(TITLE), '^[]0;pwned^G');
  assert.equal(terminalSafe(CLEAR), '^[[2J');
  assert.equal(terminalSafe('a\x7fb\u009bc'), 'a^?b<U+009B>c');
  assert.equal(terminalSafe('left \u202Eright \u2066iso'), 'left <U+202E>right <U+2066>iso');
  assert.equal(terminalSafe('lone \ud800 surrogate'), 'lone <U+D800> surrogate');
  assert.equal(terminalSafe('tab\tstays, emoji 😀 and accents é stay'), 'tab\tstays, emoji 😀 and accents é stay');
  assert.equal(terminalSafe('line\nbreak'), 'line^Jbreak');
  assert.equal(terminalSafe('line\nbreak', { keepNewlines: true }), 'line\nbreak');
  assert.equal(terminalSafe('cr\r'), 'cr^M');
  assert.equal(terminalSafe('bad-\uf7ff-name.md'), 'bad-\\xff-name.md', "a name's byte that is not UTF-8, as git shows it");
});
