import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import type { IndexStatus } from '../../src/core/engine/engine';
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

test('a usage error is one line that says where the usage is, not the whole help', async () => {
  const unknown = await runCli(['search', '--foo', 'pasta']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "quipu: unknown option '--foo'. Run `quipu search --help` for usage.\n");
  assert.equal(unknown.stdout, '');

  const missing = await runCli(['search']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, "quipu: missing required argument 'query'. Run `quipu search --help` for usage.\n");

  // Commander's suggestion joins the line; the program's own usage is named for an unknown command.
  const typo = await runCli(['serch', 'pasta']);
  assert.equal(typo.code, 2);
  assert.equal(typo.stderr, "quipu: unknown command 'serch' (Did you mean search?). Run `quipu --help` for usage.\n");

  const invalid = await runCli(['status', '--embed-provider', 'grpc']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /^quipu: option '--embed-provider <api>' argument 'grpc' is invalid\. Allowed choices are openai, ollama\. Run `quipu status --help` for usage\.\n$/);

  // What was typed is quoted back: never a raw control character on the terminal.
  const hostile = await runCli(['search', '--\x1b[2Jx', 'pasta']);
  assert.equal(hostile.code, 2);
  assert.ok(!hostile.stderr.includes('\x1b'), JSON.stringify(hostile.stderr));
  assert.equal(hostile.stderr.split('\n').length, 2, hostile.stderr);
});

/** The long option names a command's help lists. */
async function helpOptions(command: string): Promise<Set<string>> {
  const help = await runCli([command, '--help']);
  assert.equal(help.code, 0, help.stderr);
  return new Set([...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]));
}

test("each command's help lists the options it reads: indexing ones only where it indexes", async () => {
  // Read only by a run that indexes: workers, batches, the vector cache, limits on hostile input.
  const indexing = ['--embed-workers', '--embed-threads', '--chunk-workers', '--batch-size', '--commit-chunks', '--embed-batch-size', '--embed-in-flight', '--no-vector-cache', '--vector-cache-mb', '--worker-heap-mb', '--max-inflated-mb', '--max-extracted-chars'];
  // The index's identity: a reader names them to match an index built with other ones than the defaults.
  const identity = ['--model', '--tiers', '--static-model', '--max-tokens', '--overlap', '--no-embed-context', '--embed-url', '--embed-model', '--embed-provider', '--embed-dimensions', '--embed-api-key-env', '--embed-query-prefix', '--embed-document-prefix', '--embed-max-tokens'];

  const index = await helpOptions('index');
  for (const option of [...indexing, ...identity, '--embed-local', '--rebuild', '--index-dir', '--json', '--store', '--collection']) assert.ok(index.has(option), `index lists ${option}`);

  const search = await helpOptions('search');
  assert.deepEqual([...search].slice(0, 9), ['--folder', '--index-dir', '--top', '--glob', '--type', '--group', '--mode', '--json', '--help'], 'its own options come first');
  for (const option of [...identity, '--store', '--collection']) assert.ok(search.has(option), `search lists ${option}`);
  for (const option of [...indexing, '--embed-local', '--rebuild', '--commit']) assert.ok(!search.has(option), `search does not list ${option}`);
  assert.equal(search.size, 9 + identity.length + 2);

  const status = await helpOptions('status');
  for (const option of [...identity, '--index-dir', '--json', '--store']) assert.ok(status.has(option), `status lists ${option}`);
  for (const option of [...indexing, '--embed-local', '--top', '--rebuild']) assert.ok(!status.has(option), `status does not list ${option}`);

  // Texts embedded as given: no chunks, no prefixes, no index.
  assert.deepEqual([...(await helpOptions('embed'))].sort(), ['--embed-api-key-env', '--embed-dimensions', '--embed-model', '--embed-provider', '--embed-url', '--help', '--json', '--model']);

  // verify --repair and eval index: they keep the indexing options.
  for (const command of ['verify', 'eval']) {
    const options = await helpOptions(command);
    for (const option of [...indexing, ...identity]) assert.ok(options.has(option), `${command} lists ${option}`);
  }

  // An indexing option given to search is refused as unknown, in one line.
  const refused = await runCli(['search', 'pasta', '--embed-workers', '2']);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr, "quipu: unknown option '--embed-workers'. Run `quipu search --help` for usage.\n");
});

test('the index summary names the build output the default excludes left out, and how to index it', async () => {
  const folder = tempDir();
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  };
  write('src/main.ts', 'export function greet(name: string) {\n  return `hello ${name}`;\n}\n');
  write('build/index.js', 'exports.greet = (name) => `hello ${name}`;\n');
  write('build/lib/util.js', 'exports.twice = (x) => 2 * x;\n');
  write('build/lib/more/deep.js', 'exports.deep = true;\n');
  write('packages/app/dist/app.js', 'console.log("app");\n');
  // The user's own rule: not "by default", so not named.
  write('.gitignore', 'out/\n');
  write('out/generated.js', 'exports.generated = 1;\n');
  // Dependencies and VCS metadata are never a project's own code: not named either.
  write('node_modules/left-pad/index.js', 'module.exports = () => {};\n');

  const indexDir = tempDir();
  const json = await runCli(['index', folder, '--index-dir', indexDir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const summary = JSON.parse(json.stdout) as IndexSummary;
  assert.equal(summary.filesIndexed, 2, 'src/main.ts and .gitignore');
  assert.deepEqual(summary.excludedByDefault, [
    { pattern: 'build/', folders: 1, files: 3 },
    { pattern: 'dist/', folders: 1, files: 1 },
  ]);

  const text = await runCli(['index', folder, '--index-dir', indexDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /\n {2}excluded by default: build\/ \(3 files\), dist\/ \(1 file\)\n {4}\(build output; to index build\/, put "!build\/" and "!build\/\*\*" in a \.quipuignore\)\n$/);

  // The hint, followed, indexes build/.
  write('.quipuignore', '!build/\n!build/**\n');
  const followed = JSON.parse((await runCli(['index', folder, '--index-dir', indexDir, '--json'])).stdout) as IndexSummary;
  assert.equal(followed.filesIndexed, 4, 'the three files of build/ and .quipuignore');
  assert.deepEqual(followed.excludedByDefault, [{ pattern: 'dist/', folders: 1, files: 1 }]);

  // A large target/ is counted up to a bound: "at least".
  for (let i = 0; i < 2100; i++) write(`target/debug/f${i}.o`, '');
  const large = JSON.parse((await runCli(['index', folder, '--index-dir', indexDir, '--json'])).stdout) as IndexSummary;
  const target = large.excludedByDefault?.find((e) => e.pattern === 'target/');
  assert.equal(target?.filesAtLeast, true);
  assert.ok(target.files > 0 && target.files < 2100, `counted ${target.files}`);
});
