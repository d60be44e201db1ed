/**
 * Chunk worker: decodes text files (BOM, UTF-16, binary sniffing), normalises them, tokenises with
 * the model's tokenizer and cuts chunks. The ids go back with the chunks, so the embedding stage
 * never tokenises again.
 */
import { workerData } from 'piscina';
import type { ChunkSettings } from '../core/config';
import { chunkByStructure, chunkText, type Chunk, type ChunkTokenizer } from '../core/chunk/chunker';
import { codeStructure, markdownStructure, type StructureUnit } from '../core/chunk/structure';
import type { PageStart } from '../core/extract/kinds';
import { loadTokenizer } from '../core/embed/tokenizer';
import { decodeText, normalizeText } from '../core/text/decode';

export interface ChunkWorkerData {
  modelDir: string;
}

export interface ChunkTask {
  /** Raw bytes of a text file, or text already extracted (and normalised) from a document. */
  source: { bytes: Uint8Array } | { text: string; pages?: PageStart[] };
  settings: ChunkSettings;
  /** The file's language id: code and Markdown are cut along their structure. */
  language?: string;
  /** The file's path relative to its folder (for `settings.embedContext`). */
  path?: string;
}

export type PagedChunk = Chunk & { page?: number };
export type ChunkResult = { kind: 'binary' } | { kind: 'chunks'; chunks: PagedChunk[] };

const data = workerData as ChunkWorkerData;
let tokenizer: Promise<ChunkTokenizer> | undefined;

export async function chunk(task: ChunkTask): Promise<ChunkResult> {
  tokenizer ??= loadTokenizer(data.modelDir);
  const tok = await tokenizer;
  if ('bytes' in task.source) {
    const decoded = decodeText(task.source.bytes);
    if (decoded.kind === 'binary') return { kind: 'binary' };
    const text = normalizeText(decoded.text);
    const units = await structureOf(text, task.language);
    const chunks = units ? chunkByStructure(text, units, tok, task.settings) : chunkText(text, tok, task.settings);
    return { kind: 'chunks', chunks: task.settings.embedContext && task.path ? withContext(chunks, task.path, tok, task.settings.maxTokens) : chunks };
  }
  const { text, pages } = task.source;
  if (!pages?.length) return { kind: 'chunks', chunks: chunkText(text, tok, task.settings) };
  // Chunks never straddle a page break, so every result names one page.
  const lines = text.split('\n');
  const chunks: PagedChunk[] = [];
  pages.forEach((page, i) => {
    const end = pages[i + 1]?.startLine ?? lines.length + 1;
    const pageText = lines.slice(page.startLine - 1, end - 1).join('\n');
    for (const chunk of chunkText(pageText, tok, task.settings)) {
      chunks.push({ ...chunk, startLine: chunk.startLine + page.startLine - 1, endLine: chunk.endLine + page.startLine - 1, page: page.page });
    }
  });
  return { kind: 'chunks', chunks };
}

/**
 * The ids the model sees get the chunk's whereabouts in front. The chunk's tokens are cut at its
 * end when the two do not fit (never beyond the model's limit).
 */
function withContext(chunks: PagedChunk[], path: string, tok: ChunkTokenizer, maxTokens: number): PagedChunk[] {
  return chunks.map((chunk) => ({ ...chunk, ids: tok.encodeForModel(`${path}${chunk.symbol ? ` · ${chunk.symbol}` : ''}\n${chunk.text}`, maxTokens) }));
}

/** Declarations or sections to cut along; undefined for unknown languages or unparsable text. */
async function structureOf(text: string, language: string | undefined): Promise<StructureUnit[] | undefined> {
  if (!language) return undefined;
  if (language === 'markdown' || language === 'mdx') return markdownStructure(text);
  try {
    return await codeStructure(text, language);
  } catch {
    // A grammar that fails to load or parse: line windows still work.
    return undefined;
  }
}
