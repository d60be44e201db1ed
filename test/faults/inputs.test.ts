/**
 * Hostile files in one folder, indexed by the CLI: every run finishes (exit 0), each bad file is
 * skipped with a reason or indexed as text, the good files are all indexed, nothing outside the folder
 * is read, memory stays bounded, and `quipu verify` finds the index consistent.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DOCS, tempDir } from '../helpers';
import { assertConsistent, indexJson, reasonOf } from './helpers';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

test('a folder of hostile files: the run finishes, bad files are skipped with reasons, good ones indexed', async () => {
  const folder = tempDir('quipu-fault-');
  const outside = tempDir('quipu-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'The outside secret: a zebra named Quagmire guards the vault.\n');
  const good = 'A good note about growing tomatoes in a greenhouse over the winter.\n';
  writeFileSync(join(folder, 'good.md'), `# Tomatoes\n\n${good}`);
  execFileSync('mkfifo', [join(folder, 'notes.txt')]);
  mkdirSync(join(folder, 'loop'));
  symlinkSync('..', join(folder, 'loop', 'up'));
  symlinkSync('/dev/zero', join(folder, 'zero.txt'));
  symlinkSync(join(outside, 'secret.txt'), join(folder, 'outside.txt'));
  symlinkSync(outside, join(folder, 'outside-dir'));
  writeFileSync(join(folder, 'invalid-utf8.txt'), Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9, 0xff, 0xfe, 0x80]), Buffer.from(' latte art and espresso crema\n')]));
  writeFileSync(join(folder, 'utf16-nobom.txt'), Buffer.from('Knitting a warm scarf with merino wool\n'.repeat(4), 'utf16le'));
  writeFileSync(join(folder, 'nul.txt'), Buffer.concat([Buffer.from('before'), Buffer.alloc(64), Buffer.from('after')]));
  writeFileSync(join(folder, 'huge.log'), Buffer.alloc(114 * 1024 * 1024, 'log line 42 ok\n'));
  writeFileSync(join(folder, 'bundle.js'), 'var a=' + 'function(){return 1},'.repeat(250_000) + '0;');
  writeFileSync(join(folder, 'broken.pdf'), readFileSync(join(DOCS, 'solar-guide.pdf')).subarray(0, 3000));
  writeFileSync(join(folder, 'broken.docx'), readFileSync(join(DOCS, 'beekeeping.docx')).subarray(0, 2000));
  const random = seeded(7);
  writeFileSync(join(folder, 'random.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(random() * 256)))]));
  writeFileSync(join(folder, 'random.docx'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from(Array.from({ length: 20_000 }, () => Math.floor(random() * 256)))]));
  copyFileSync(join(DOCS, 'beekeeping.docx'), join(folder, 'bees.docx'));
  writeFileSync(join(folder, 'line\nbreak.md'), `# Newline\n\nA file whose name holds a newline, about sourdough starters.\n`);
  writeFileSync(Buffer.from(join(folder, 'bad-\xff-name.md'), 'latin1'), '# Bad bytes\n\nA name with an invalid UTF-8 byte, about kites.\n');
  let deep = folder;
  for (let i = 0; i < 60; i++) deep = join(deep, `level-${String(i).padStart(2, '0')}-${'d'.repeat(40)}`);
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'deep.md'), '# Deep\n\nA note at the bottom of a very deep folder, about caves.\n');

  const indexDir = tempDir();
  const { run, summary } = await indexJson(folder, indexDir);
  const paths = new Set(summary.skipped.map((s) => s.path));
  // Skipped with a reason each, never read as text.
  assert.match(reasonOf(summary, 'huge.log') ?? '', /larger than/);
  assert.match(reasonOf(summary, 'bundle.js') ?? '', /larger than|minified/);
  assert.match(reasonOf(summary, 'broken.pdf') ?? '', /PDF/);
  assert.match(reasonOf(summary, 'broken.docx') ?? '', /DOCX/);
  assert.match(reasonOf(summary, 'random.pdf') ?? '', /PDF|no text/);
  assert.match(reasonOf(summary, 'random.docx') ?? '', /DOCX/);
  assert.match(reasonOf(summary, 'nul.txt') ?? '', /binary/);
  for (const s of summary.skipped) assert.ok(s.reason.length > 3, `${s.path} has a reason`);
  // The FIFO, /dev/zero and links out of the folder are never read (not files in the folder).
  assert.ok(!paths.has('notes.txt') || /special|not a regular|unreadable/.test(reasonOf(summary, 'notes.txt') ?? ''));
  assert.equal(summary.sourceBytes < 10 * 1024 * 1024, true, 'no large read slipped through');
  assert.ok(run.peakRssMb < 1500, `peak RSS ${run.peakRssMb} MB`);

  const { report } = await assertConsistent(folder, indexDir).then((r) => ({ report: r }));
  assert.ok(report.files >= 6, `indexed ${report.files} files`);
  const catalog = JSON.parse(readFileSync(join(indexDir, `catalog.g${(JSON.parse(readFileSync(join(indexDir, 'manifest.json'), 'utf8')) as { catalogGeneration: number }).catalogGeneration}.json`), 'utf8')) as Record<string, unknown>;
  const indexed = Object.keys(catalog);
  for (const path of ['good.md', 'bees.docx', 'line\nbreak.md', 'utf16-nobom.txt', 'invalid-utf8.txt']) assert.ok(indexed.includes(path), `${JSON.stringify(path)} indexed (${indexed.join(', ')})`);
  assert.ok(indexed.some((p) => p.endsWith('/deep.md')), 'the deep file is indexed');
  // Names are bytes: decoded losslessly (the byte as U+DCFF, files/names.ts), so the file is opened and indexed.
  assert.ok(indexed.includes('bad-\uf7ff-name.md'), `the invalid UTF-8 name is indexed (${indexed.join(', ')})`);
  assert.ok(!indexed.some((p) => /outside|zero|loop\/up/.test(p)), `nothing through links: ${indexed.join(', ')}`);
});
