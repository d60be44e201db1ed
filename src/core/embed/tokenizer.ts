/**
 * The model's own tokenizer, loaded offline by transformers.js from the model folder.
 */
import { basename, dirname } from 'node:path';
import type { ChunkTokenizer } from '../chunk/chunker';

interface TransformersTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
}

export async function loadTokenizer(modelDir: string): Promise<ChunkTokenizer> {
  const transformers = await import('@huggingface/transformers');
  // Offline by construction: the folder is already on disk, nothing is fetched.
  transformers.env.allowRemoteModels = false;
  transformers.env.allowLocalModels = true;
  transformers.env.localModelPath = dirname(modelDir) + '/';
  const tokenizer = (await transformers.AutoTokenizer.from_pretrained(basename(modelDir))) as unknown as TransformersTokenizer;
  return wrapTokenizer(tokenizer);
}

export function wrapTokenizer(tokenizer: TransformersTokenizer): ChunkTokenizer {
  const specialTokenCount = tokenizer.encode('', { add_special_tokens: true }).length;
  const upper = tokenizer.encode('Word', { add_special_tokens: false });
  const lower = tokenizer.encode('word', { add_special_tokens: false });
  return {
    specialTokenCount,
    lowercases: upper.length === lower.length && upper.every((id, i) => id === lower[i]),
    encodeNoSpecial: (text) => tokenizer.encode(text, { add_special_tokens: false }),
    encodeForModel(text, maxTokens) {
      const ids = tokenizer.encode(text, { add_special_tokens: true });
      if (ids.length <= maxTokens) return ids;
      // Keep the closing special token ([SEP]) that the model was trained to see last.
      return specialTokenCount > 1 ? [...ids.slice(0, maxTokens - 1), ids[ids.length - 1]] : ids.slice(0, maxTokens);
    },
  };
}
