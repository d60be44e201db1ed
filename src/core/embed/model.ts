/**
 * Where the model's files are. A model is a folder in the transformers.js layout:
 *   config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx (or onnx/model.onnx)
 * The default (all-MiniLM-L6-v2, int8) is placed in <package>/models by `npm run setup-model`, or
 * shipped inside the extension. A Hugging Face id is downloaded once into a cache folder.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { packageRoot } from '../files/package-root';

export const DEFAULT_MODEL_NAME = 'all-MiniLM-L6-v2';
const ONNX_CANDIDATES = ['onnx/model_quantized.onnx', 'onnx/model.onnx', 'model_quantized.onnx', 'model.onnx'];
const REQUIRED_FILES = ['tokenizer.json', 'tokenizer_config.json', 'config.json'];

export interface ModelInfo {
  /** Stable id recorded with every vector: a change of model rebuilds the index. */
  id: string;
  dir: string;
  onnxPath: string;
  /** Longest input the model accepts, in tokens (special tokens included). */
  maxTokens: number;
  /** Vector size, when config.json says it (mean pooling keeps the hidden size); else probed. */
  dimensions?: number;
}

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

export function defaultModelDir(): string {
  return process.env.QUIPU_MODEL_DIR || join(packageRoot(), 'models', DEFAULT_MODEL_NAME);
}

export async function resolveModel(spec: string, options: { cacheDir?: string; signal?: AbortSignal } = {}): Promise<ModelInfo> {
  if (!spec) return describeFolder(defaultModelDir(), 'the default model');
  const asPath = resolve(spec);
  const looksLikePath = isAbsolute(spec) || spec.startsWith('.') || spec.startsWith('~') || spec.split(/[\\/]/).length > 2;
  if (existsSync(asPath) || looksLikePath) return describeFolder(asPath, spec);
  if (!/^[\w.-]+\/[\w.-]+$/.test(spec)) {
    throw new ModelNotFoundError(`Model "${spec}" is neither a folder nor a Hugging Face model id (owner/name).`);
  }
  const dir = join(options.cacheDir ?? join(homedir(), '.cache', 'quipu', 'models'), spec);
  await downloadModel(spec, dir, options.signal);
  return describeFolder(dir, spec);
}

async function describeFolder(dir: string, label: string): Promise<ModelInfo> {
  const missing = REQUIRED_FILES.filter((file) => !existsSync(join(dir, file)));
  const onnx = ONNX_CANDIDATES.find((file) => existsSync(join(dir, file)));
  if (!existsSync(dir) || missing.length > 0 || !onnx) {
    const hint = label === 'the default model' ? ' Run `npm run setup-model` to place it.' : '';
    const what = !existsSync(dir) ? 'the folder does not exist' : `missing ${[...missing, ...(onnx ? [] : ['onnx/model_quantized.onnx'])].join(', ')}`;
    throw new ModelNotFoundError(`Model not found for ${label} at ${dir}: ${what}.${hint}`);
  }
  const onnxPath = join(dir, onnx);
  let manifest: { id?: string; maxTokens?: number } = {};
  if (existsSync(join(dir, 'quipu-model.json'))) manifest = JSON.parse(readFileSync(join(dir, 'quipu-model.json'), 'utf8')) as typeof manifest;
  const tokenizerConfig = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as { model_max_length?: number };
  const modelConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { max_position_embeddings?: number; hidden_size?: number };
  const limits = [manifest.maxTokens, tokenizerConfig.model_max_length, modelConfig.max_position_embeddings, 512].filter(
    (n): n is number => typeof n === 'number' && n > 0 && n < 1e6,
  );
  const id = manifest.id ?? `${label}#${(await sha256File(onnxPath)).slice(0, 16)}`;
  const dimensions = typeof modelConfig.hidden_size === 'number' && modelConfig.hidden_size > 0 ? modelConfig.hidden_size : undefined;
  return { id, dir, onnxPath, maxTokens: Math.min(...limits), dimensions };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const block of createReadStream(path)) hash.update(block as Buffer);
  return hash.digest('hex');
}

/** Downloads the files Quipu needs from the Hugging Face hub. Needs a network; says so clearly without one. */
async function downloadModel(id: string, dir: string, signal?: AbortSignal): Promise<void> {
  const files = [...REQUIRED_FILES, 'onnx/model_quantized.onnx'];
  for (const file of files) {
    const target = join(dir, file);
    if (existsSync(target) && (await stat(target)).size > 0) continue;
    const endpoint = (process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/$/, '');
    const url = `${endpoint}/${id}/resolve/main/${file}`;
    // Give up when the server does not answer within 30 s (no network), but let a slow body finish.
    const answered = new AbortController();
    const timer = setTimeout(() => answered.abort(new Error('no answer within 30 s')), 30_000);
    let response: Response;
    try {
      response = await fetch(url, { signal: signal ? AbortSignal.any([signal, answered.signal]) : answered.signal });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      throw new ModelNotFoundError(
        `Could not download model ${id} (${file}): ${(error as Error).message}${cause ? ` (${cause})` : ''}. ` +
          'Without a network, point the model setting to a local folder.',
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw new ModelNotFoundError(`Could not download model ${id}: ${url} answered ${response.status}.`);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(`${target}.part`, Buffer.from(await response.arrayBuffer()));
    await rename(`${target}.part`, target);
  }
}

/**
 * Whether the model's tokenizer lower-cases its input (uncased BERT: the normaliser says so), read
 * from tokenizer.json without loading the tokenizer. A remote embedder cuts queries into words by it,
 * as the chunk worker cut the chunks (`cutsWords`).
 */
export function tokenizerLowercases(modelDir: string): boolean {
  try {
    const json = JSON.parse(readFileSync(join(modelDir, 'tokenizer.json'), 'utf8')) as { normalizer?: { lowercase?: boolean; normalizers?: { lowercase?: boolean; type?: string }[] } };
    const normalizer = json.normalizer;
    return normalizer?.lowercase === true || (normalizer?.normalizers ?? []).some((n) => n.lowercase === true || n.type === 'Lowercase');
  } catch {
    return false;
  }
}
