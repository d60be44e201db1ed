/**
 * Paths on Windows, driven on any OS: the engine keeps folder-relative paths with forward slashes,
 * and the file host's FolderPaths is the one place they meet the platform's form. A Windows host
 * (path.win32, names without regard to case) feeds the ignore rules, the globs, the catalog and the
 * result URIs.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, win32 } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_FILE_SETTINGS, type FileSettings } from '../../src/core/config/config';
import { discoverFiles, discoverPaths, type DiscoveryEvent, type PathEvent } from '../../src/core/files/discover';
import { FolderPaths, PathOutsideFolderError } from '../../src/core/files/host';
import { QuipuEngine } from '../../src/core/engine/engine';
import { IndexLockedError, acquireLock } from '../../src/core/store/lock';
import { FIXTURES, tempDir, testConfig } from '../helpers';
import { Win32MemoryHost } from '../win32-host';

const ROOT = 'C:\\Users\\Ana\\Work Proj';
const UNC = '\\\\fileserver\\team\\quipu';

test('folder-relative ⇄ Windows paths: drive letters, backslashes, case, other drives', () => {
  const paths = new FolderPaths(ROOT, win32);
  assert.equal(paths.abs('src/auth/password.ts'), 'C:\\Users\\Ana\\Work Proj\\src\\auth\\password.ts');
  assert.equal(paths.abs(''), ROOT);
  assert.equal(paths.rel('C:\\Users\\Ana\\Work Proj\\src\\auth\\password.ts'), 'src/auth/password.ts');
  // Drive letter and folder names compare without regard to case, as NTFS does.
  assert.equal(paths.rel('c:\\users\\ANA\\work proj\\docs\\deploy.md'), 'docs/deploy.md');
  assert.equal(new FolderPaths('c:\\users\\ana\\WORK PROJ', win32).rel('C:\\Users\\Ana\\Work Proj\\a.md'), 'a.md');
  assert.equal(paths.rel('C:/Users/Ana/Work Proj/notes/pasta.txt'), 'notes/pasta.txt', 'forward slashes are separators too');
  assert.equal(paths.rel(ROOT), '');
  assert.equal(paths.rel('C:\\Users\\Ana\\Work Proj2\\a.md'), undefined, 'a sibling with the same prefix');
  assert.equal(paths.rel('D:\\Users\\Ana\\Work Proj\\a.md'), undefined, 'another drive');
  assert.equal(paths.rel('C:\\Users\\Ana'), undefined);
  assert.equal(paths.key('Src/App.TS'), 'src/app.ts');
  assert.equal(new FolderPaths('/home/ana/proj', posix).key('Src/App.TS'), 'Src/App.TS', 'POSIX names keep their case');
});

test('UNC shares convert both ways', () => {
  const paths = new FolderPaths(UNC, win32);
  assert.equal(paths.abs('src/net/retry.ts'), '\\\\fileserver\\team\\quipu\\src\\net\\retry.ts');
  assert.equal(paths.rel('\\\\FILESERVER\\Team\\quipu\\src\\net\\retry.ts'), 'src/net/retry.ts');
  assert.equal(paths.rel('\\\\fileserver\\other\\quipu\\a.ts'), undefined, 'another share');
  assert.equal(paths.uri('src/net/retry.ts'), 'file://fileserver/team/quipu/src/net/retry.ts');
});

test('a folder-relative path never leaves the folder', () => {
  const paths = new FolderPaths(ROOT, win32);
  for (const bad of ['../secret.txt', 'src/../../secret.txt', 'C:\\Windows\\win.ini', 'D:/x.txt', 'src\\..\\..\\x', '\\\\server\\share\\x']) {
    assert.throws(() => paths.abs(bad), PathOutsideFolderError, bad);
  }
  assert.throws(() => new FolderPaths('/home/ana/proj', posix).abs('/etc/passwd'), PathOutsideFolderError);
});

test('result URIs: drive letters, spaces and # encoded as VS Code opens them', () => {
  const paths = new FolderPaths(ROOT, win32);
  assert.equal(paths.uri('src/auth/password.ts'), 'file:///C:/Users/Ana/Work%20Proj/src/auth/password.ts');
  assert.equal(paths.uri('notes/c#.md'), 'file:///C:/Users/Ana/Work%20Proj/notes/c%23.md');
  assert.equal(new FolderPaths('/home/ana/work proj', posix).uri('src/a.ts'), 'file:///home/ana/work%20proj/src/a.ts');
});

/** The fixture corpus under ROOT, plus ignore files and folders the rules must keep out. */
function windowsCorpus(root = ROOT): Win32MemoryHost {
  const host = new Win32MemoryHost();
  const corpus = join(FIXTURES, 'corpus');
  for (const entry of readdirSync(corpus, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = relative(corpus, join(entry.parentPath, entry.name));
    host.add(win32.join(root, ...rel.split(/[\\/]/)), readFileSync(join(corpus, rel)));
  }
  return host
    .add(`${root}\\.gitignore`, 'generated/\n*.log\n')
    .add(`${root}\\Generated\\out.ts`, 'export const generated = 1;\n')
    .add(`${root}\\generated\\keep.ts`, 'export const kept = 1;\n')
    .add(`${root}\\build.log`, 'a log line\n')
    .add(`${root}\\docs\\.gitignore`, '*.md\n!deploy.md\n')
    .add(`${root}\\docs\\draft.md`, '# Draft\n')
    .add(`${root}\\node_modules\\left-pad\\index.js`, 'module.exports = 1;\n')
    .add(`${root}\\.quipu-index\\manifest.json`, '{}\n');
}

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const files = (events: (DiscoveryEvent | PathEvent)[]) => events.flatMap((e) => (e.kind === 'file' ? [e.file.path] : [])).sort();

test('discovery on a Windows host: forward-slash paths, ignore rules and default excludes apply', async () => {
  const host = windowsCorpus();
  const settings: FileSettings = { ...DEFAULT_FILE_SETTINGS };
  // The index folder named with other case than on disk: still kept out.
  const events = await collect(discoverFiles(ROOT, host, settings, { extraIgnoredDirs: ['c:\\users\\ana\\work proj\\.QUIPU-INDEX'] }));
  assert.deepEqual(files(events), [
    '.gitignore',
    'docs/.gitignore',
    'docs/deploy.md',
    'notes/pasta.txt',
    'src/auth/password.ts',
    'src/net/retry.ts',
    'src/util/dates.py',
  ]);
  const found = events.flatMap((e) => (e.kind === 'file' ? [e.file] : []));
  assert.equal(found.find((f) => f.path === 'src/auth/password.ts')?.absPath, 'C:\\Users\\Ana\\Work Proj\\src\\auth\\password.ts');
});

test('include globs and the changed-paths discovery take forward-slash paths on Windows', async () => {
  const host = windowsCorpus(UNC);
  const included = await collect(discoverFiles(UNC, host, { ...DEFAULT_FILE_SETTINGS, include: ['src/**/*.ts'] }));
  assert.deepEqual(files(included), ['src/auth/password.ts', 'src/net/retry.ts']);
  const changed = await collect(
    discoverPaths(UNC, host, DEFAULT_FILE_SETTINGS, ['src/net/retry.ts', 'docs/draft.md', 'build.log', 'gone/file.ts', '../outside.txt', '.quipu-index/manifest.json'], {
      extraIgnoredDirs: [`${UNC}\\.quipu-index`],
    }),
  );
  assert.deepEqual(
    changed.map((e) => `${e.kind} ${e.kind === 'file' ? e.file.path : e.path}`),
    ['file src/net/retry.ts', 'gone docs/draft.md', 'gone build.log', 'gone gone/file.ts', 'skip ../outside.txt'],
  );
});

test('the catalog and search results of a Windows folder hold folder-relative forward-slash paths', async () => {
  const host = windowsCorpus();
  const engine = await QuipuEngine.create(testConfig(), { host });
  try {
    const indexDir = tempDir();
    // The folder given in other case and with forward slashes, as a user may type it.
    const summary = await engine.index('c:/users/ana/work proj', { indexDir });
    // The seven of the discovery test, and .quipu-index/manifest.json: the index is elsewhere this time.
    assert.equal(summary.filesIndexed, 8);
    const results = await engine.search(ROOT, 'keep user credentials safe before saving them', { indexDir, topK: 20 });
    assert.equal(results[0].path, 'src/auth/password.ts');
    for (const r of results) assert.match(r.path, /^[^\\:]+$/, `${r.path} is folder-relative with forward slashes`);
    const globbed = await engine.search(ROOT, 'retry', { indexDir, include: ['src/**'], topK: 20 });
    assert.ok(globbed.length > 0 && globbed.every((r) => r.path.startsWith('src/')), JSON.stringify(globbed.map((r) => r.path)));
    const paths = new FolderPaths(ROOT, win32);
    assert.equal(paths.uri(results[0].path), 'file:///C:/Users/Ana/Work%20Proj/src/auth/password.ts');
    // A second run finds every file unchanged: the catalog's keys are the paths discovery yields.
    const again = await engine.index(ROOT, { indexDir });
    assert.equal(again.filesUnchanged, 8);
    assert.equal(again.filesIndexed, 0);
  } finally {
    await engine.close();
  }
});

test('one Windows folder however typed has one index and one lock', async () => {
  const host = new Win32MemoryHost();
  const home = tempDir();
  const saved = process.env.QUIPU_INDEX_HOME;
  process.env.QUIPU_INDEX_HOME = home;
  try {
    const ways = ['C:\\Users\\Ana\\Work Proj', 'c:\\users\\ana\\WORK PROJ\\', 'C:/Users/Ana/Work Proj', 'C:\\Users\\Ana\\Work Proj\\src\\..'];
    const dirs = new Set(ways.map((way) => QuipuEngine.defaultIndexDir(way, host)));
    assert.equal(dirs.size, 1, [...dirs].join(', '));
    assert.notEqual(QuipuEngine.defaultIndexDir('D:\\Users\\Ana\\Work Proj', host), [...dirs][0], 'another drive, another index');
    assert.notEqual(QuipuEngine.defaultIndexDir('/home/ana/Work Proj'), QuipuEngine.defaultIndexDir('/home/ana/work proj'), 'POSIX names keep their case');
    // The lock the first writer takes keeps out a second one that typed the folder otherwise.
    const indexDir = QuipuEngine.defaultIndexDir(ways[0], host);
    mkdirSync(indexDir, { recursive: true });
    const first = await acquireLock(join(indexDir, 'index.lock'));
    try {
      const second = acquireLock(join(QuipuEngine.defaultIndexDir(ways[1], host), 'index.lock'));
      await assert.rejects(second, (error: Error) => error instanceof IndexLockedError && error.message.startsWith(`The index at ${indexDir} is being updated`));
    } finally {
      await first.release();
    }
  } finally {
    if (saved === undefined) delete process.env.QUIPU_INDEX_HOME;
    else process.env.QUIPU_INDEX_HOME = saved;
  }
});
