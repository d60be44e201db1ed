/**
 * Child process: the ceiling. Chunks the corpus with Quipu's chunker, samples chunks, and runs ONNX
 * Runtime directly on pre-tokenised, length-sorted batches for every thread count × batch size.
 * Prints one JSON line: the sweep and the best configuration.
 * Usage: limit-child.ts <folder> <onnxPath> <modelDir> <sampleSize>
 */
import { readFileSync } from 'node:fs';
import { chunkText, type Chunk } from '../src/core/chunk/chunker';
import { DEFAULT_CHUNK_SETTINGS, DEFAULT_FILE_SETTINGS } from '../src/core/config';
import { packBatch } from '../src/core/embed/batch';
import { OnnxEmbedder } from '../src/core/embed/onnx-embedder';
import { loadTokenizer } from '../src/core/embed/tokenizer';
import { extractDocument } from '../src/core/extract/documents';
import { documentKindOf } from '../src/core/extract/kinds';
import { discoverFiles } from '../src/core/files/discover';
import { nodeFileHost } from '../src/core/files/host';
import { decodeText, normalizeText } from '../src/core/text/decode';
import { seededRandom } from './lib';

async function main(): Promise<void> {
  const [folder, onnxPath, modelDir, sampleArg] = process.argv.slice(2) as [string, string, string, string];
  const tokenizer = await loadTokenizer(modelDir);
  const all: Chunk[] = [];
  for await (const event of discoverFiles(folder, nodeFileHost, DEFAULT_FILE_SETTINGS)) {
    if (event.kind !== 'file') continue;
    const raw = readFileSync(event.file.absPath);
    const kind = documentKindOf(event.file.path);
    let text: string;
    try {
      if (kind) text = (await extractDocument(kind, raw)).text;
      else {
        const decoded = decodeText(raw);
        if (decoded.kind === 'binary') continue;
        text = normalizeText(decoded.text);
      }
    } catch {
      continue;
    }
    all.push(...chunkText(text, tokenizer, DEFAULT_CHUNK_SETTINGS));
  }
  const random = seededRandom(42);
  const sample = [...all].sort(() => random() - 0.5).slice(0, Number(sampleArg));
  const sampleTokens = sample.reduce((n, c) => n + c.ids.length, 0);
  // Sorted by length, as Quipu batches them: the ceiling with the least padding.
  const sorted = [...sample].sort((a, b) => a.ids.length - b.ids.length);
  const sweep: { threads: number; batchSize: number; chunksPerSecond: number; tokensPerSecond: number }[] = [];
  for (const threads of [2, 1]) {
    const embedder = await OnnxEmbedder.create(onnxPath, threads);
    await embedder.embed(packBatch([sorted[0].ids])); // warm-up
    for (const batchSize of [1, 4, 8, 16, 32]) {
      const started = performance.now();
      for (let i = 0; i < sorted.length; i += batchSize) await embedder.embed(packBatch(sorted.slice(i, i + batchSize).map((c) => c.ids)));
      const seconds = (performance.now() - started) / 1000;
      sweep.push({ threads, batchSize, chunksPerSecond: sorted.length / seconds, tokensPerSecond: sampleTokens / seconds });
    }
    await embedder.release();
  }
  const best = sweep.reduce((a, b) => (b.chunksPerSecond > a.chunksPerSecond ? b : a));
  process.stdout.write(
    JSON.stringify({ corpusChunks: all.length, sampleChunks: sample.length, meanTokens: sampleTokens / sample.length, sweep, best }) + '\n',
  );
}

void main();
