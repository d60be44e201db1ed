import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import { KERNEL_WASM_BASE64, setPreferredScorer, VectorMatrix } from '../../src/core/store/dot-kernel';

after(() => setPreferredScorer('wasm'));

function seeded(seed: number): () => number {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
}

function naiveCosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

test('the embedded kernel is what scripts/build-wasm.mjs makes of dot.wat', async () => {
  const { compileKernel } = await import('../../scripts/build-wasm.mjs');
  const fromSource = await compileKernel(join(__dirname, '../../src/core/store/dot.wat'));
  assert.equal(KERNEL_WASM_BASE64, fromSource, 'run: node scripts/build-wasm.mjs');
});

function unit(values: number[]): number[] {
  const norm = Math.hypot(...values);
  return values.map((x) => x / norm);
}

for (const scorer of ['wasm', 'js'] as const) {
  test(`the ${scorer} scorer finds exactly the rows a brute-force cosine scan finds, for any dimension and filter`, () => {
    setPreferredScorer(scorer);
    const random = seeded(scorer === 'wasm' ? 1 : 2);
    // Random directions are the hard case: their cosines crowd near 0, where int8 rounding matters most.
    for (const [rows, dims] of [[3000, 384], [500, 10], [500, 17], [800, 100]]) {
      const vectors = Array.from({ length: rows }, () => Array.from({ length: dims }, random));
      vectors[5] = new Array<number>(dims).fill(0); // a zero vector scores 0, not NaN
      const matrix = new VectorMatrix(rows, dims);
      assert.equal(matrix.scorer, scorer, 'WebAssembly SIMD runs on this Node');
      vectors.forEach((row, i) => matrix.setUnitRow(i, row));
      for (let trial = 0; trial < 20; trial++) {
        const query = unit(Array.from({ length: dims }, random));
        const accept = trial % 2 === 0 ? () => true : (row: number) => row % 3 !== 0;
        const want = vectors
          .map((row, i) => ({ row: i, score: naiveCosine(row, query) }))
          .filter(({ row }) => accept(row))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        const got = matrix.nearest(query, 10, accept);
        assert.deepEqual(got.map((h) => h.row), want.map((h) => h.row), `${rows} × ${dims}, trial ${trial}`);
        got.forEach((h, i) => assert.ok(Math.abs(h.score - want[i].score) < 1e-5));
      }
      assert.equal(matrix.cosine(unit(vectors[7]), 5), 0);
    }
  });
}

test('an empty matrix finds nothing, and a query of the wrong dimension is refused', () => {
  const matrix = new VectorMatrix(0, 384);
  assert.deepEqual(matrix.nearest(new Float32Array(384), 10), []);
  assert.throws(() => new VectorMatrix(2, 384).nearest(new Float32Array(3), 1), /3 dimensions, the index 384/);
});
