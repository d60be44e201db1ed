import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { transformSync } from 'esbuild';
import { decodeText, looksBinary, machineTextReason, normalizeText } from '../../src/core/text/decode';
import { DOCS, FIXTURES, ROOT } from '../helpers';

test('UTF-16 LE and BE files with a BOM decode to the same text', () => {
  const le = decodeText(readFileSync(join(DOCS, 'utf16le.txt')));
  const be = decodeText(readFileSync(join(DOCS, 'utf16be.txt')));
  assert.equal(le.kind, 'text');
  assert.equal(be.kind, 'text');
  if (le.kind !== 'text' || be.kind !== 'text') return;
  assert.equal(le.text, be.text);
  assert.match(le.text, /café/);
  assert.match(le.text, /naïve/);
});

test('UTF-8 with BOM and CRLF normalises to LF without the BOM', () => {
  const decoded = decodeText(readFileSync(join(DOCS, 'utf8-bom.md')));
  assert.equal(decoded.kind, 'text');
  if (decoded.kind !== 'text') return;
  const text = normalizeText(decoded.text);
  assert.notEqual(text.charCodeAt(0), 0xfeff);
  assert.ok(!text.includes('\r'));
  assert.ok(text.split('\n').length > 2);
});

test('binary files are recognised, text is not', () => {
  assert.equal(decodeText(readFileSync(join(DOCS, 'binary.dat'))).kind, 'binary');
  assert.equal(decodeText(readFileSync(join(DOCS, 'image.png'))).kind, 'binary');
  assert.equal(looksBinary(Buffer.from('plain text\nwith lines\n')), false);
});

test('normalizeText keeps indentation and strips trailing spaces and lone CRs', () => {
  assert.equal(normalizeText('a  \r\n\tb\rc\t \n'), 'a\n\tb\nc\n');
});

test('bom-less UTF-16 is detected', () => {
  const bytes = Buffer.from('function hello() { return 42; }\n'.repeat(4), 'utf16le');
  const decoded = decodeText(bytes);
  assert.equal(decoded.kind, 'text');
  if (decoded.kind === 'text') assert.match(decoded.text, /function hello/);
});

test('minified code and numeric data are recognised as not worth embedding; code and prose are kept', () => {
  const source = readFileSync(join(ROOT, 'src', 'core', 'search', 'lexical.ts'), 'utf8');
  const minified = transformSync(source, { loader: 'ts', minify: true }).code;
  assert.match(machineTextReason(minified) ?? '', /^minified or generated/);
  assert.equal(machineTextReason(source), undefined, 'the same code, as written');

  const vectors = readFileSync(join(FIXTURES, 'reference-embeddings.json'), 'utf8');
  assert.match(machineTextReason(vectors) ?? '', /^data, not text \(\d+% letters\)/);

  // Prose written one paragraph per line: long lines, but spaces between words.
  const deploy = readFileSync(join(FIXTURES, 'corpus', 'docs', 'deploy.md'), 'utf8');
  const paragraphs = deploy.replace(/([^\n])\n(?=[^\n#])/g, '$1 ');
  assert.equal(machineTextReason(paragraphs.repeat(4)), undefined);
  // Chinese prose has no spaces between words and long lines, and is still text.
  const chinese = '蜜蜂在春天和夏天每隔七到十天检查一次蜂箱，选择温暖无风的下午，动作要慢，在巢门口用少量冷烟。检查时要看巢房里直立的卵，它们说明蜂王在最近三天内产过卵；子脾要紧凑，空房要少；巢周围要有足够的蜂蜜和花粉。';
  assert.equal(machineTextReason(chinese.repeat(10)), undefined);
  // Short texts are never judged.
  assert.equal(machineTextReason('[0.1, 0.2, 0.3]'), undefined);
});
