import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { seededRandom } from '../../bench/lib';
import { cosine } from '../../src/core/embed/pooling';
import { KERNEL_BASE64, VectorMatrix } from '../../src/core/store/dot-kernel';
import { HALF_TO_FLOAT, toHalf } from '../../src/core/store/half';

/** Uniform in [−1, 1), the same numbers every run. */
function seeded(seed: number): () => number {
  const random = seededRandom(seed);
  return () => random() * 2 - 1;
}

/** The cosine a brute-force scan gives; a zero vector scores 0. */
function naiveCosine(a: number[], b: number[]): number {
  return a.every((x) => x === 0) ? 0 : cosine(a, b);
}

test('the embedded kernel is what scripts/build-wasm.mjs makes of dot.wat', async () => {
  const { compileKernel } = await import('../../scripts/build-wasm.mjs');
  const fromSource = await compileKernel(join(__dirname, '../../src/core/store/dot.wat'));
  assert.equal(KERNEL_BASE64, fromSource, 'run: node scripts/build-wasm.mjs');
});

function unit(values: number[]): number[] {
  const norm = Math.hypot(...values);
  return values.map((x) => x / norm);
}

for (const scorer of ['wasm', 'js'] as const) {
  test(`the ${scorer} scorer finds exactly the rows a brute-force cosine scan finds, for any dimension and filter`, () => {
    const random = seeded(scorer === 'wasm' ? 1 : 2);
    // Random directions are the hard case: their cosines crowd near 0, where int8 rounding matters most.
    for (const [rows, dims] of [[3000, 384], [500, 10], [500, 17], [800, 100]]) {
      const vectors = Array.from({ length: rows }, () => Array.from({ length: dims }, random));
      vectors[5] = new Array<number>(dims).fill(0); // a zero vector scores 0, not NaN
      const matrix = new VectorMatrix(rows, dims, scorer);
      assert.equal(matrix.scorer, scorer, 'WebAssembly SIMD runs on this Node');
      vectors.forEach((row, i) => matrix.setUnitRow(i, row));
      const stored = vectors.map((row) => (row.every((x) => x === 0) ? row : unit(row).map((x) => HALF_TO_FLOAT[toHalf(x)])));
      for (let trial = 0; trial < 20; trial++) {
        const query = unit(Array.from({ length: dims }, random));
        const accept = trial % 2 === 0 ? () => true : (row: number) => row % 3 !== 0;
        // The exact answer over the rows as stored (float16, see half.ts); float64 cosines checked below.
        const want = stored
          .map((row, i) => ({ row: i, score: row.reduce((sum, x, d) => sum + x * query[d], 0) }))
          .filter(({ row }) => accept(row))
          .sort((a, b) => b.score - a.score)
          .slice(0, 10);
        const got = matrix.nearest(query, 10, accept);
        assert.deepEqual(got.map((h) => h.row), want.map((h) => h.row), `${rows} × ${dims}, trial ${trial}`);
        // Rows are kept as float16 (each component within 2^-11 of itself, relatively), so by
        // Cauchy–Schwarz a unit row's cosine is within 2^-11 ≈ 4.9e-4 of the float64 one.
        got.forEach((h, i) => {
          assert.ok(Math.abs(h.score - want[i].score) < 1e-5);
          assert.ok(Math.abs(h.score - naiveCosine(vectors[h.row], query)) < 2 ** -11 + 1e-6, `${h.score} vs ${naiveCosine(vectors[h.row], query)}`);
        });
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
