import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import type { IndexStatus } from '../../src/core/engine';
import type { IndexSummary } from '../../src/core/pipeline/events';
import { copyFixture, ROOT, runCli, tempDir } from '../helpers';

test('quipu index then quipu search: a paraphrased query with no shared keywords finds the right file', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  const indexed = await runCli(['index', folder, '--index-dir', indexDir, '--json']);
  assert.equal(indexed.code, 0, indexed.stderr);
  const summary = JSON.parse(indexed.stdout) as IndexSummary;
  assert.equal(summary.filesIndexed, 5);
  assert.equal(summary.filesSeen, 5);
  assert.ok(summary.chunksEmbedded > 0 && summary.chunksPerSecond > 0);

  // password.ts speaks of hashing, salts and scrypt; the query uses none of those words.
  const found = await runCli(['search', 'keep', 'user', 'credentials', 'safe', 'before', 'saving', 'them', '--folder', folder, '--index-dir', indexDir, '--json', '--top', '3']);
  assert.equal(found.code, 0, found.stderr);
  const results = JSON.parse(found.stdout) as { path: string; startLine: number; endLine: number; score: number; snippet: string }[];
  assert.equal(results.length, 3);
  assert.equal(results[0].path, 'src/auth/password.ts');
  assert.ok(results[0].startLine >= 1 && results[0].endLine >= results[0].startLine);
  assert.ok(results[0].score > results[2].score);
  assert.match(results[0].snippet, /password/i);

  // On a terminal, paths are relative to where the search runs, as grep prints them.
  const readable = await runCli(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--top', '1'], { cwd: folder });
  assert.equal(readable.code, 0);
  // The snippet's lines numbered as in the file (no query word matched: the chunk's first lines).
  assert.match(readable.stdout, /^notes\/pasta\.txt:1-\d+ {2}score [01]\.\d{3}\n {4}1: Cooking dried pasta well\n {4}2:\n {4}3: Use a large pot/);
  const fromNotes = await runCli(['search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir, '--top', '1'], { cwd: join(folder, 'notes') });
  assert.match(fromNotes.stdout, /^pasta\.txt:\d+-\d+ /);
  const fromAbove = await runCli(['search', 'boiling noodles', '--folder', basename(folder), '--index-dir', indexDir, '--top', '1'], { cwd: dirname(folder) });
  assert.ok(fromAbove.stdout.startsWith(`${basename(folder)}/notes/pasta.txt:`), fromAbove.stdout);

  const typed = await runCli(['search', 'time zones', '--folder', folder, '--index-dir', indexDir, '--type', 'md', '--glob', '!notes/**', '--json']);
  assert.deepEqual([...new Set((JSON.parse(typed.stdout) as { path: string }[]).map((r) => r.path))], ['docs/deploy.md']);
});

test('quipu status: what an index holds, a folder never indexed (without creating its index), an index to rebuild', async () => {
  const folder = copyFixture('corpus');
  const indexDir = join(tempDir(), 'index');
  const before = await runCli(['status', folder, '--index-dir', indexDir]);
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, /not indexed yet {2}run `quipu index /);
  assert.equal(existsSync(indexDir), false, 'asking must not create the index folder');

  const indexed = JSON.parse((await runCli(['index', folder, '--index-dir', indexDir, '--json'])).stdout) as IndexSummary;
  const status = await runCli(['status', folder, '--index-dir', indexDir, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const report = JSON.parse(status.stdout) as IndexStatus;
  assert.equal(report.files, 5);
  assert.equal(report.chunks, indexed.chunksTotal);
  assert.ok(report.diskBytes > 0);
  assert.equal(report.modelId, 'sentence-transformers/all-MiniLM-L6-v2@int8');
  assert.ok(Date.parse(report.updatedAt ?? '') > Date.now() - 10 * 60_000, `updated at ${report.updatedAt}`);
  const text = await runCli(['status', folder, '--index-dir', indexDir]);
  assert.match(text.stdout, /files {12}5\n {2}chunks {11}\d+\n/);
  assert.match(text.stdout, /chunk settings {3}at most 256 tokens, 32 shared with the next; the model reads them with path and symbol in front/);

  // Other chunk settings than the index was built with: it says so, and what to do.
  const stale = await runCli(['status', folder, '--index-dir', indexDir, '--max-tokens', '128']);
  assert.match(stale.stdout, /needs a rebuild {2}the chunk settings changed .*run `quipu index` again/);
});

test('with no folder named: index takes the current folder; search and status find the nearest indexed folder above', async () => {
  const folder = copyFixture('corpus');
  // The default index location, kept apart from the user's cache.
  const env = { QUIPU_INDEX_HOME: tempDir() };
  const indexed = await runCli(['index', '--json'], { cwd: folder, env });
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.equal((JSON.parse(indexed.stdout) as IndexSummary).filesIndexed, 5);

  const found = await runCli(['search', 'keep user credentials safe', '--json', '--top', '1'], { cwd: join(folder, 'src', 'auth'), env });
  assert.equal(found.code, 0, found.stderr);
  assert.equal((JSON.parse(found.stdout) as { path: string }[])[0]?.path, 'src/auth/password.ts');

  const status = await runCli(['status'], { cwd: join(folder, 'notes'), env });
  assert.equal(status.code, 0, status.stderr);
  assert.ok(status.stdout.includes(folder), `status names the indexed folder:\n${status.stdout}`);
  assert.match(status.stdout, /files {12}5\n/);

  // Outside any indexed folder: the current one is meant, and it is not indexed.
  const elsewhere = tempDir();
  const nothing = await runCli(['search', 'hello'], { cwd: elsewhere, env });
  assert.equal(nothing.code, 1);
  assert.ok(nothing.stderr.includes(`No index found for ${elsewhere} or a folder above it. Run \`quipu index <folder>\` first`), nothing.stderr);
  const notYet = await runCli(['status'], { cwd: elsewhere, env });
  assert.equal(notYet.code, 0, notYet.stderr);
  assert.ok(notYet.stdout.includes(`Index of ${elsewhere}\n`), notYet.stdout);
  assert.match(notYet.stdout, /not indexed yet/);
});

test('a reader that stops early (quipu search … | head) ends the search quietly, not with a stack trace', async () => {
  const folder = copyFixture('corpus');
  const indexDir = tempDir();
  assert.equal((await runCli(['index', folder, '--index-dir', indexDir])).code, 0);
  // The read end closes before the CLI has loaded the model, so its first write meets a closed pipe.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'quipu.js'), 'search', 'boiling noodles', '--folder', folder, '--index-dir', indexDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

test('quipu --version prints the package version', async () => {
  const result = await runCli(['--version']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
});

test('quipu embed --json prints normalised vectors', async () => {
  const result = await runCli(['embed', 'This is an example sentence', 'Each sentence is converted', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as { text: string; vector: number[] }[];
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.vector.length, 384);
    assert.ok(Math.abs(Math.hypot(...row.vector) - 1) < 1e-4);
  }
});

test('clear errors and exit codes: missing folder, missing model, search before index, empty folder', async () => {
  const missing = await runCli(['index', '/nonexistent/quipu-folder']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Folder not found: \/nonexistent\/quipu-folder/);

  const noModel = await runCli(['index', tempDir(), '--model', '/nonexistent/model-folder']);
  assert.equal(noModel.code, 3);
  assert.match(noModel.stderr, /Model not found .*\/nonexistent\/model-folder/);

  // A Hugging Face id is downloaded; with the hub unreachable the error says so and what to do.
  const offline = await runCli(['embed', 'hello', '--model', 'sentence-transformers/all-MiniLM-L6-v2'], {
    env: { HF_ENDPOINT: 'http://127.0.0.1:9', HOME: tempDir() },
  });
  assert.equal(offline.code, 3);
  assert.match(offline.stderr, /Could not download model sentence-transformers\/all-MiniLM-L6-v2 .*point the model setting to a local folder/);

  const folder = tempDir();
  writeFileSync(join(folder, 'a.md'), '# hello');
  const notIndexed = await runCli(['search', 'hello', '--folder', folder, '--index-dir', tempDir()]);
  assert.equal(notIndexed.code, 1);
  assert.match(notIndexed.stderr, /Nothing is indexed .* yet/);

  const usage = await runCli(['search', '  ', '--folder', folder]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /The query is empty/);

  const empty = await runCli(['index', tempDir(), '--index-dir', tempDir(), '--json']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal((JSON.parse(empty.stdout) as IndexSummary).filesSeen, 0);
});
