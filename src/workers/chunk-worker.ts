/**
 * Chunk worker: decodes text files (BOM, UTF-16, binary sniffing), normalises them, tokenises with
 * the model's tokenizer and cuts chunks. The ids go back with the chunks, so the embedding stage
 * never tokenises again.
 */
import { workerData } from 'piscina';
import { chunkByStructure, chunkText, type ChunkTokenizer } from '../core/chunk/chunker';
import { codeOutline, markdownStructure, type CodeOutline } from '../core/chunk/structure';
import { chunkModelInput, cutsWords } from '../core/embed/model-input';
import { loadTokenizer } from '../core/embed/tokenizer';
import { chunkWorkerDataOf, type ChunkResult, type ChunkTask, type ChunkWorkerTasks, type PagedChunk } from '../core/pool/chunk-protocol';
import { decodeText, machineTextReason, normalizeText } from '../core/text/decode';
import { crashIfMarked } from './test-crash-hook';

const data = chunkWorkerDataOf(workerData);
let tokenizer: Promise<ChunkTokenizer> | undefined;

export async function chunk(task: ChunkTask): Promise<ChunkResult> {
  crashIfMarked('bytes' in task.source ? task.source.bytes : task.source.text);
  tokenizer ??= loadTokenizer(data.modelDir);
  const tok = await tokenizer;
  if ('bytes' in task.source) {
    const decoded = decodeText(task.source.bytes);
    if (decoded.kind === 'binary') return { kind: 'skipped', reason: 'binary file' };
    const text = normalizeText(decoded.text);
    const machineText = machineTextReason(text);
    if (machineText) return { kind: 'skipped', reason: machineText };
    const outline = await outlineOf(text, task.language);
    const chunks = outline ? chunkByStructure(text, outline.units, tok, task.settings) : chunkText(text, tok, task.settings);
    return { kind: 'chunks', chunks: withModelInput(chunks, tok, task, outline?.wiringLines) };
  }
  const { text, pages } = task.source;
  if (!pages?.length) return { kind: 'chunks', chunks: withModelInput(chunkText(text, tok, task.settings), tok, task) };
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
  return { kind: 'chunks', chunks: withModelInput(chunks, tok, task) };
}

/** Several small files in one call: one trip between threads instead of one per file. */
export async function chunkMany(tasks: ChunkTask[]): Promise<ChunkResult[]> {
  const results: ChunkResult[] = [];
  for (const task of tasks) results.push(await chunk(task));
  return results;
}

// The exports the pool runs by name are the protocol's tasks, with its types.
void ({ chunk, chunkMany } satisfies ChunkWorkerTasks);

/**
 * The ids the model sees: the chunk as `chunkModelInput` prepares it, as the settings ask (the
 * source file's path and symbol in front, boilerplate left out, words cut apart). Documents (no
 * `path` given) get no context. Cut at the end when too long.
 */
function withModelInput(chunks: PagedChunk[], tok: ChunkTokenizer, task: ChunkTask, wiringLines?: number[]): PagedChunk[] {
  const { settings, path } = task;
  const contextPath = settings.embedContext ? path : undefined;
  const strip = settings.stripBoilerplate === true;
  const splitWords = cutsWords(settings.splitWords, tok);
  if (!contextPath && !strip && !splitWords) return task.inputText ? chunks.map((chunk) => ({ ...chunk, input: inputTextOf(chunk.text, chunk.ids, tok, settings.maxTokens) })) : chunks;
  const wiring = wiringLines?.length ? new Set(wiringLines) : undefined;
  return chunks.map((chunk) => {
    const input = chunkModelInput(chunk.text, chunk.startLine, {
      context: contextPath ? { path: contextPath, symbol: chunk.symbol } : undefined,
      stripBoilerplate: strip,
      wiringLines: wiring,
      splitWords,
    });
    const ids = tok.encodeForModel(input, settings.maxTokens);
    return task.inputText ? { ...chunk, ids, input: inputTextOf(input, ids, tok, settings.maxTokens) } : { ...chunk, ids };
  });
}

/**
 * The model input as text, cut where its ids were cut (`encodeForModel` keeps `maxTokens`): the
 * longest start of it that the local tokenizer counts within the limit, so a remote model reads
 * what the local one would.
 */
function inputTextOf(input: string, ids: readonly number[], tok: ChunkTokenizer, maxTokens: number): string {
  if (ids.length < maxTokens) return input;
  const fits = (end: number) => tok.encodeNoSpecial(input.slice(0, end)).length + tok.specialTokenCount <= maxTokens;
  if (fits(input.length)) return input;
  let low = 0;
  let high = input.length;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return input.slice(0, low);
}

/** Declarations or sections to cut along; undefined for unknown languages or unparsable text. */
async function outlineOf(text: string, language: string | undefined): Promise<CodeOutline | undefined> {
  if (!language) return undefined;
  if (language === 'markdown' || language === 'mdx') return { units: markdownStructure(text), wiringLines: [] };
  try {
    return await codeOutline(text, language);
  } catch {
    // A grammar that fails to load or parse: line windows still work.
    return undefined;
  }
}
