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

for (const scorer of ['wasm', 'js'] as const) {
  test(`the ${scorer} scorer gives each row's cosine with the query, for any dimension`, () => {
    setPreferredScorer(scorer);
    const random = seeded(scorer === 'wasm' ? 1 : 2);
    for (const dims of [384, 10, 17, 64]) {
      const rows = Array.from({ length: 37 }, () => Array.from({ length: dims }, random));
      rows[5] = new Array<number>(dims).fill(0); // a zero vector scores 0, not NaN
      const matrix = new VectorMatrix(rows.length, dims);
      assert.equal(matrix.scorer, scorer, 'WebAssembly SIMD runs on this Node');
      rows.forEach((row, i) => matrix.setUnitRow(i, row));
      for (let trial = 0; trial < 3; trial++) {
        const query = Array.from({ length: dims }, random);
        const norm = Math.hypot(...query);
        const scores = matrix.scores(query.map((x) => x / norm));
        assert.equal(scores.length, rows.length);
        rows.forEach((row, i) => assert.ok(Math.abs(scores[i] - naiveCosine(row, query)) < 1e-5, `row ${i}, ${dims} dims`));
      }
    }
  });
}

test('an empty matrix scores nothing, and a query of the wrong dimension is refused', () => {
  const matrix = new VectorMatrix(0, 384);
  assert.equal(matrix.scores(new Float32Array(384)).length, 0);
  assert.throws(() => matrix.scores(new Float32Array(3)), /3 dimensions, the index 384/);
});
