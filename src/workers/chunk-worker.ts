/**
 * Chunk worker: decodes text files (BOM, UTF-16, binary sniffing), normalises them, tokenises with
 * the model's tokenizer and cuts chunks. The ids go back with the chunks, so the embedding stage
 * never tokenises again.
 */
import { workerData } from 'piscina';
import type { ChunkSettings } from '../core/config';
import { chunkText, type Chunk, type ChunkTokenizer } from '../core/chunk/chunker';
import { loadTokenizer } from '../core/embed/tokenizer';
import { decodeText, normalizeText } from '../core/text/decode';

export interface ChunkWorkerData {
  modelDir: string;
}

export interface ChunkTask {
  /** Raw bytes of a text file, or text already extracted (and normalised) from a document. */
  source: { bytes: Uint8Array } | { text: string };
  settings: ChunkSettings;
}

export type ChunkResult = { kind: 'binary' } | { kind: 'chunks'; chunks: Chunk[] };

const data = workerData as ChunkWorkerData;
let tokenizer: Promise<ChunkTokenizer> | undefined;

export async function chunk(task: ChunkTask): Promise<ChunkResult> {
  tokenizer ??= loadTokenizer(data.modelDir);
  let text: string;
  if ('bytes' in task.source) {
    const decoded = decodeText(task.source.bytes);
    if (decoded.kind === 'binary') return { kind: 'binary' };
    text = normalizeText(decoded.text);
  } else {
    text = task.source.text;
  }
  return { kind: 'chunks', chunks: chunkText(text, await tokenizer, task.settings) };
}
