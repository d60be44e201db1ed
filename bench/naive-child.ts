/**
 * Child process: the naive indexer as extensions commonly write it. Files are read one at a time,
 * PDF/DOCX extracted on the main thread, each chunk embedded with transformers.js
 * `pipeline('feature-extraction')` one call at a time, and inserted into Vectra one item at a time.
 * Same model file and the same chunks as Quipu (Quipu's chunker, run here on the main thread), so
 * chunks/s compare like for like. Prints one JSON line.
 * Usage: naive-child.ts <folder> <indexDir> <modelDir>
 */
import { readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LocalIndex } from 'vectra';
import { chunkText } from '../src/core/chunk/chunker';
import { DEFAULT_CHUNK_SETTINGS, DEFAULT_FILE_SETTINGS } from '../src/core/config/config';
import { loadTokenizer } from '../src/core/embed/tokenizer';
import { extractDocument } from '../src/core/extract/documents';
import { documentKindOf } from '../src/core/extract/kinds';
import { discoverFiles } from '../src/core/files/discover';
import { nodeFileHost } from '../src/core/files/host';
import { decodeText, normalizeText } from '../src/core/text/decode';
import { eventLoopStats, peakRssMb, startEventLoopMonitor } from './lib';

async function main(): Promise<void> {
  const [folder, indexDir, modelDir] = process.argv.slice(2) as [string, string, string];
  rmSync(indexDir, { recursive: true, force: true });
  const { pipeline, env } = await import('@huggingface/transformers');
  env.allowRemoteModels = false;
  env.localModelPath = dirname(modelDir) + '/';
  const extractor = await pipeline('feature-extraction', basename(modelDir), { dtype: 'q8' });
  const tokenizer = await loadTokenizer(modelDir);
  const index = new LocalIndex(indexDir);
  await index.createIndex({ version: 1 });

  const monitor = startEventLoopMonitor();
  const started = performance.now();
  let chunks = 0;
  let bytes = 0;
  for await (const event of discoverFiles(folder, nodeFileHost, DEFAULT_FILE_SETTINGS)) {
    if (event.kind !== 'file') continue;
    const raw = readFileSync(event.file.absPath);
    let text: string;
    const kind = documentKindOf(event.file.path);
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
    bytes += raw.length;
    for (const chunk of chunkText(text, tokenizer, DEFAULT_CHUNK_SETTINGS)) {
      const output = await extractor(chunk.text, { pooling: 'mean', normalize: true });
      await index.insertItem({
        vector: Array.from(output.data as Float32Array),
        metadata: { path: event.file.path, startLine: chunk.startLine, endLine: chunk.endLine, text: chunk.text },
      });
      chunks++;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const eventLoop = eventLoopStats(monitor);
  process.stdout.write(JSON.stringify({ chunks, bytes, seconds, chunksPerSecond: chunks / seconds, eventLoop, peakRssMb: peakRssMb(), indexDir: join(indexDir) }) + '\n');
}

void main();
