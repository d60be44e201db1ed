import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeText, looksBinary, normalizeText } from '../../src/core/text/decode';
import { DOCS } from '../helpers';

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
