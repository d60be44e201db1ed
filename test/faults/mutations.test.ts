/**
 * Seeded random mutations of the real PDF and DOCX fixtures (bytes flipped, ranges zeroed, cut,
 * duplicated): every run finishes, each mutant is indexed or skipped with a reason, the good files are
 * indexed, and `quipu verify` finds the index consistent. QUIPU_FAULT_MUTATIONS=N makes N mutants of
 * each fixture (default 4 in CI); QUIPU_FAULT_SEED picks another seed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DOCS, tempDir } from '../helpers';
import { assertConsistent, indexJson } from './helpers';

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function mutate(bytes: Buffer, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  const at = () => Math.floor(random() * out.length);
  switch (Math.floor(random() * 4)) {
    case 0:
      for (let i = 0; i < 1 + Math.floor(random() * 64); i++) out[at()] = Math.floor(random() * 256);
      return out;
    case 1: {
      const start = at();
      out.fill(0, start, Math.min(out.length, start + 1 + Math.floor(random() * 4096)));
      return out;
    }
    case 2:
      return out.subarray(0, at());
    default: {
      const start = at();
      const piece = out.subarray(start, Math.min(out.length, start + 1 + Math.floor(random() * 8192)));
      const where = at();
      return Buffer.concat([out.subarray(0, where), piece, out.subarray(where)]);
    }
  }
}

test('seeded random mutations of real PDFs and DOCX files: indexed or skipped with a reason, never a failed run', async () => {
  const count = Number(process.env.QUIPU_FAULT_MUTATIONS ?? 4);
  const seed = Number(process.env.QUIPU_FAULT_SEED ?? 20261201);
  const random = seeded(seed);
  const folder = tempDir('quipu-mut-');
  writeFileSync(join(folder, 'good.md'), '# Kept\n\nA good note about sailing knots: the bowline and the clove hitch.\n');
  const names: string[] = [];
  for (const fixture of ['solar-guide.pdf', 'beekeeping.docx']) {
    const original = readFileSync(join(DOCS, fixture));
    for (let i = 0; i < count; i++) {
      const name = `mutant-${i}-${fixture}`;
      writeFileSync(join(folder, name), mutate(original, random));
      names.push(name);
    }
  }
  const indexDir = tempDir();
  const { summary } = await indexJson(folder, indexDir);
  const skipped = new Map(summary.skipped.map((s) => [s.path, s.reason]));
  assert.equal(summary.filesSeen, names.length + 1);
  assert.equal(summary.filesIndexed + skipped.size, names.length + 1, `seed ${seed}: every file indexed or skipped`);
  assert.ok(!skipped.has('good.md'));
  for (const [path, reason] of skipped) assert.match(reason, /PDF|DOCX|text|empty/, `seed ${seed}: ${path}: ${reason}`);
  await assertConsistent(folder, indexDir);
});
