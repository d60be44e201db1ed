import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_FILE_SETTINGS } from '../../src/core/config/config';
import { discoverFiles } from '../../src/core/files/discover';
import { nodeFileHost } from '../../src/core/files/host';
import { tempDir } from '../helpers';

function tree(files: Record<string, string | Buffer>): string {
  const root = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function discover(root: string, settings = DEFAULT_FILE_SETTINGS) {
  const files: string[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for await (const event of discoverFiles(root, nodeFileHost, settings)) {
    if (event.kind === 'file') files.push(event.file.path);
    else skipped.push({ path: event.path, reason: event.reason });
  }
  return { files: files.sort(), skipped };
}

test('nested .gitignore files, ! negation and .quipuignore are applied as git does', async () => {
  const root = tree({
    '.gitignore': '*.log\nsecret/\ngenerated/*\n!generated/keep.ts\n',
    'app.ts': 'x',
    'debug.log': 'x',
    'secret/key.ts': 'x',
    'generated/out.ts': 'x',
    'generated/keep.ts': 'x',
    'pkg/.gitignore': '!important.log\nlocal-*.md\n',
    'pkg/important.log': 'x',
    'pkg/other.log': 'x',
    'pkg/local-notes.md': 'x',
    'pkg/readme.md': 'x',
    '.quipuignore': 'fixtures/\n',
    'fixtures/big.json': 'x',
  });
  const { files } = await discover(root);
  assert.deepEqual(files, ['.gitignore', '.quipuignore', 'app.ts', 'generated/keep.ts', 'pkg/.gitignore', 'pkg/important.log', 'pkg/readme.md']);
});

test('default excludes: VCS, dependencies, build output, lock files, binaries, minified files', async () => {
  const root = tree({
    'src/index.ts': 'x',
    '.git/config': 'x',
    'node_modules/lib/index.js': 'x',
    'dist/bundle.js': 'x',
    'package-lock.json': '{}',
    'yarn.lock': 'x',
    'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    'vendor.min.js': 'x',
    'docs/guide.pdf': '%PDF-1.4',
    'docs/letter.docx': 'PK',
  });
  const { files } = await discover(root);
  assert.deepEqual(files, ['docs/guide.pdf', 'docs/letter.docx', 'src/index.ts']);
  const noDocs = await discover(root, { ...DEFAULT_FILE_SETTINGS, pdf: false, docx: false });
  assert.deepEqual(noDocs.files, ['src/index.ts']);
});

test('files over the size limit are skipped with a reason; extra excludes apply', async () => {
  const root = tree({ 'big.txt': 'a'.repeat(5000), 'small.txt': 'ok', 'tmp/scratch.txt': 'x' });
  const { files, skipped } = await discover(root, { ...DEFAULT_FILE_SETTINGS, maxFileBytes: 1000, exclude: ['tmp/'] });
  assert.deepEqual(files, ['small.txt']);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].path, 'big.txt');
  assert.match(skipped[0].reason, /larger than 1000 B/);
});
