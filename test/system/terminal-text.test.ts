/** `quipu search` on a terminal and with --json, on files that hold escape sequences (terminalSafe itself: test/unit/terminal-text.test.ts). */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers';
import { BEL, CLEAR, CLIPBOARD, ESC, HOSTILE, RAW_CONTROL, TITLE } from '../hostile-text';

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
