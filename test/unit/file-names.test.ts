import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeFileHost } from '../../src/core/files/host';
import { decodeName, fsPath } from '../../src/core/files/names';
import { tempDir } from '../helpers';

test('names that are not UTF-8 decode losslessly and turn back into the same bytes', () => {
  const cases = [
    Buffer.from('plain.md'),
    Buffer.from('café ☕ 😀.md'),
    Buffer.from([0x62, 0xff, 0x2e, 0x6d, 0x64]), // b\xff.md
    Buffer.from([0xe9, 0x74, 0xe9]), // Latin-1 "été"
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate: not valid UTF-8
    Buffer.from([0xf0, 0x9f, 0x98]), // a cut 4-byte sequence
    Buffer.from([0xc0, 0xaf]), // an overlong "/"
    Buffer.from('x\uf7ffy'), // a real character of the escape range
  ];
  for (const bytes of cases) {
    const name = decodeName(bytes);
    const back = fsPath(name);
    assert.deepEqual(Buffer.isBuffer(back) ? back : Buffer.from(back), bytes, JSON.stringify(name));
  }
  assert.equal(decodeName(Buffer.from([0x62, 0xff])), 'b\uf7ff');
  assert.equal(fsPath('café 😀'), 'café 😀', 'valid names stay strings');
  // Two names that UTF-8 decoding would both turn into "b\ufffd" stay apart.
  assert.notEqual(decodeName(Buffer.from([0x62, 0xff])), decodeName(Buffer.from([0x62, 0xfe])));
  // A real U+F7FF and the byte 0xFF it would stand for stay apart too.
  assert.notEqual(decodeName(Buffer.from('x\uf7ffy')), decodeName(Buffer.from([0x78, 0xff, 0x79])));
  // Well-formed Unicode: what UTF-8 encoding gives back unchanged (a lone surrogate would not).
  for (const bytes of cases) assert.equal(Buffer.from(decodeName(bytes)).toString(), decodeName(bytes));
});

test('the Node host lists, stats and reads a file whose name is not UTF-8, inside a folder whose name is not either', async () => {
  const root = tempDir();
  const dirBytes = Buffer.concat([Buffer.from(join(root, 'dir-')), Buffer.from([0xe9])]);
  mkdirSync(dirBytes);
  writeFileSync(Buffer.concat([dirBytes, Buffer.from('/note-'), Buffer.from([0xff]), Buffer.from('.md')]), 'kites over the bay\n');
  assert.equal(readdirSync(root).length, 1);
  const [dir] = await nodeFileHost.readDir(root);
  assert.equal(dir.name, 'dir-\uf7e9');
  assert.ok(dir.isDirectory);
  const [file] = await nodeFileHost.readDir(join(root, dir.name));
  assert.equal(file.name, 'note-\uf7ff.md');
  const abs = join(root, dir.name, file.name);
  const stat = await nodeFileHost.lstat(abs);
  assert.equal(stat.size, 19);
  assert.equal(Buffer.from(await nodeFileHost.readFile(abs, stat)).toString(), 'kites over the bay\n');
  assert.equal(Buffer.from(await nodeFileHost.readFile(abs)).toString(), 'kites over the bay\n');
});
