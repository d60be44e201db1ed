/**
 * Files that change under the indexer: deleted after discovery but before reading, and rewritten
 * between discovery and reading (a FileHost that does it at the exact moment, no timing). The run
 * finishes, the deleted file is skipped with a reason, the rewritten one is indexed as read, and the
 * index agrees with the disk afterwards.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { nodeFileHost, type FileHost } from '../../src/core/files/host';
import { QuipuEngine } from '../../src/core/engine/engine';
import { tempDir, testConfig } from '../helpers';

test('a file deleted or rewritten between discovery and reading: skipped with a reason, or indexed as read', async () => {
  const folder = tempDir('quipu-race-');
  writeFileSync(join(folder, 'stays.md'), '# Stays\n\nA note about mountain goats.\n');
  writeFileSync(join(folder, 'vanishes.md'), '# Vanishes\n\nThis note is deleted before it is read.\n');
  writeFileSync(join(folder, 'rewritten.md'), '# Before\n\nThe first version, about pelicans.\n');
  const host: FileHost = {
    ...nodeFileHost,
    async readFile(absPath) {
      // Discovery has seen (and stat-ed) the file; now, before the read, the world moves.
      if (basename(absPath) === 'vanishes.md') rmSync(absPath);
      if (basename(absPath) === 'rewritten.md') writeFileSync(absPath, '# After\n\nThe second, longer version of the note, about flamingos wading in salt lakes.\n');
      return nodeFileHost.readFile(absPath);
    },
  };
  const engine = await QuipuEngine.create(testConfig(), { host });
  try {
    const indexDir = tempDir();
    const summary = await engine.index(folder, { indexDir });
    assert.equal(summary.skipped.find((s) => s.path === 'vanishes.md')?.reason, 'unreadable (ENOENT)');
    assert.equal(summary.filesIndexed, 2);
    const hits = await engine.search(folder, 'flamingos in salt lakes', { indexDir, topK: 1 });
    assert.equal(hits[0].path, 'rewritten.md');
    assert.match(hits[0].snippet, /second, longer version/);
    // Against the disk: the vanished file is gone (never indexed); the rewritten one was recorded with
    // the size discovery saw, but its content hash is the disk's, so it is not stale.
    const { report } = await engine.verify(folder, { indexDir });
    assert.deepEqual([report.damaged, report.stale, report.gone, report.missing], [[], [], [], []]);
    assert.equal(report.ok, true);
  } finally {
    await engine.close();
  }
});
