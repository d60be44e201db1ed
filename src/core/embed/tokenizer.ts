/**
 * The model's own tokenizer, from the model folder, offline. A BERT WordPiece tokenizer.json (MiniLM's)
 * gets our WordPiece (`wordpiece.ts`: the same ids as transformers.js, several times faster); any other
 * goes to transformers.js.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ChunkTokenizer } from '../chunk/chunker';
import { parseWordPiece, WordPiece } from './wordpiece';

interface TransformersTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

export async function loadTokenizer(modelDir: string): Promise<ChunkTokenizer> {
  const wordPiece = await loadWordPiece(modelDir);
  return wordPiece ? wrapWordPiece(wordPiece) : wrapTokenizer(await loadTransformersTokenizer(modelDir));
}

/** Our WordPiece for the folder's tokenizer, or undefined when it is not one it reproduces. */
export async function loadWordPiece(modelDir: string): Promise<WordPiece | undefined> {
  const [json, config] = await Promise.all([readJson(join(modelDir, 'tokenizer.json')), readJson(join(modelDir, 'tokenizer_config.json'))]);
  // Options transformers.js reads from tokenizer_config.json that change the text before the normalizer.
  if (config?.remove_space || config?.do_lowercase_and_remove_accent) return undefined;
  const spec = parseWordPiece(json);
  return spec && new WordPiece(spec);
}

export async function loadTransformersTokenizer(modelDir: string): Promise<TransformersTokenizer> {
  const transformers = await import('@huggingface/transformers');
  // Offline by construction: the folder is already on disk, nothing is fetched.
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = dirname(modelDir) + '/';
  return (await transformers.AutoTokenizer.from_pretrained(basename(modelDir))) as unknown as TransformersTokenizer;
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function wrapWordPiece(wordPiece: WordPiece): ChunkTokenizer {
  return {
    specialTokenCount: wordPiece.specialTokenCount,
    lowercases: true, // parseWordPiece takes only lower-casing normalizers
    encodeNoSpecial: (text) => wordPiece.encodeText(text),
    // Ids past maxTokens are cut anyway: stop soon after them.
    encodeForModel: (text, maxTokens) => cutForModel(wordPiece.withSpecial(wordPiece.encodeText(text, maxTokens + 1)), maxTokens, wordPiece.specialTokenCount),
  };
}

export function wrapTokenizer(tokenizer: TransformersTokenizer): ChunkTokenizer {
  const specialTokenCount = tokenizer.encode('', { add_special_tokens: true }).length;
  const upper = tokenizer.encode('Word', { add_special_tokens: false });
  const lower = tokenizer.encode('word', { add_special_tokens: false });
  return {
    specialTokenCount,
    lowercases: upper.length === lower.length && upper.every((id, i) => id === lower[i]),
    encodeNoSpecial: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    encodeForModel: (text, maxTokens) => cutForModel(tokenizer.encode(text, { add_special_tokens: true }), maxTokens, specialTokenCount),
  };
}

function cutForModel(ids: number[], maxTokens: number, specialTokenCount: number): number[] {
  if (ids.length <= maxTokens) return ids;
  // Keep the closing special token ([SEP]) that the model was trained to see last.
  return specialTokenCount > 1 ? [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]] : ids.slice(0, maxTokens);
}
