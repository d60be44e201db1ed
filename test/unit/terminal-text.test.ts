import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { terminalSafe } from '../../src/cli/terminal-text';
import { runCli, tempDir } from '../helpers';

const ESC = '\x1b';
const BEL = '\x07';
// What a hostile file holds: a new window title, a clear screen, a clipboard write (OSC 52), a C1 CSI,
// a bidi override that reverses what follows.
const TITLE = `${ESC}]0;pwned${BEL}`;
const CLEAR = `${ESC}[2J`;
const CLIPBOARD = `${ESC}]52;c;ZWNobyBoaQ==${BEL}`;
const HOSTILE = `Deploying the lighthouse keeper robot ${TITLE}${CLEAR}${CLIPBOARD} with \u009b31m and \u202Etxt.exe\n`;

/** Any character a terminal acts on rather than shows (tab and newline excepted). */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

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

test('quipu search prints file content and names escaped on a terminal, and exact with --json', async () => {
  const folder = tempDir();
  const hostileName = `notes-${ESC}]0;name${BEL}.txt`;
  writeFileSync(join(folder, 'robot.txt'), HOSTILE.repeat(3));
  writeFileSync(join(folder, hostileName), HOSTILE);
  const indexDir = tempDir();
  const indexed = await runCli(['index', folder, '--index-dir', indexDir]);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.doesNotMatch(indexed.stdout + indexed.stderr, RAW_CONTROL);

  const human = await runCli(['search', 'lighthouse keeper robot', '--folder', folder, '--index-dir', indexDir]);
  assert.equal(human.code, 0, human.stderr);
  assert.doesNotMatch(human.stdout, RAW_CONTROL, 'no raw control character reaches the terminal');
  assert.ok(human.stdout.includes('^[]0;pwned^G^[[2J^[]52;c;ZWNobyBoaQ==^G'), human.stdout);
  assert.ok(human.stdout.includes('<U+009B>31m and <U+202E>txt.exe'), human.stdout);
  assert.ok(human.stdout.includes('notes-^[]0;name^G.txt:'), 'file names are escaped too');

  const json = await runCli(['search', 'lighthouse keeper robot', '--folder', folder, '--index-dir', indexDir, '--json']);
  const results = JSON.parse(json.stdout) as { path: string; snippet: string }[];
  assert.ok(results.some((r) => r.path === hostileName), 'JSON keeps the exact name');
  assert.ok(results.every((r) => r.snippet.includes(`${TITLE}${CLEAR}${CLIPBOARD}`)), 'JSON keeps the exact text');
});
