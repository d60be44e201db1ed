/**
 * `npm run bench:tokenizer`: tokens per second of our WordPiece (src/core/embed/wordpiece.ts) against
 * transformers.js' tokenizer, in one process, on the same text: this repository's src/, test/ and bench/
 * text files (or --dir DIR, repeatable). Each round tokenises every file whole and then line by line (as
 * the chunker does), alternating the two tokenizers; ours starts each round with an empty word cache,
 * as a fresh chunk worker does. Also the time to load each one (a cold worker pays it once).
 * Prints a Markdown table; bench/INSTANT.md ("Tokenizer") records a run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { defaultModelDir } from '../src/core/embed/model';
import { loadTransformersTokenizer, loadWordPiece } from '../src/core/embed/tokenizer';
import { decodeText } from '../src/core/text/decode';
import { machineDescription, ROOT } from './lib';

const { values } = parseArgs({ options: { dir: { type: 'string', multiple: true }, rounds: { type: 'string', default: '5' } } });
const SKIP = new Set(['.png', '.pdf', '.docx', '.bin', '.onnx', '.gz']);

function textFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules') files.push(...textFiles(path));
    else if (entry.isFile() && !SKIP.has(extname(entry.name))) files.push(path);
  }
  return files;
}

const dirs = values.dir ?? ['src', 'test', 'bench'].map((d) => join(ROOT, d));
const texts = dirs.flatMap(textFiles).flatMap((file) => {
  const decoded = decodeText(readFileSync(file));
  return decoded.kind === 'text' ? [decoded.text] : [];
});
const lines = texts.flatMap((text) => text.split('\n').filter((line) => line.trim() !== ''));
const chars = texts.reduce((sum, text) => sum + text.length, 0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

type Encode = (text: string) => number[];
function pass(encode: Encode): { tokens: number; ms: number } {
  const start = performance.now();
  let tokens = 0;
  for (const text of texts) tokens += encode(text).length;
  for (const line of lines) tokens += encode(line).length;
  return { tokens, ms: performance.now() - start };
}

async function main(): Promise<void> {
  const modelDir = defaultModelDir();
  let start = performance.now();
  const reference = await loadTransformersTokenizer(modelDir);
  const referenceLoadMs = performance.now() - start;
  start = performance.now();
  await loadWordPiece(modelDir);
  const oursLoadMs = performance.now() - start;

  const rounds = Number(values.rounds);
  const results: Record<'transformers.js' | 'WordPiece', number[]> = { 'transformers.js': [], WordPiece: [] };
  let tokens = 0;
  for (let round = 0; round < rounds; round++) {
    const slow = pass((text) => reference.encode(text, { add_special_tokens: false }));
    const ours = (await loadWordPiece(modelDir))!;
    const fast = pass((text) => ours.encodeText(text));
    if (slow.tokens !== fast.tokens) throw new Error(`token counts differ: ${slow.tokens} against ${fast.tokens}`);
    tokens = fast.tokens;
    results['transformers.js'].push(slow.tokens / (slow.ms / 1000));
    results.WordPiece.push(fast.tokens / (fast.ms / 1000));
  }
  const slowRate = median(results['transformers.js']);
  const fastRate = median(results.WordPiece);

  console.log(`${machineDescription()}; load average ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
  console.log(`${texts.length} files, ${(chars / 1e6).toFixed(2)} M characters, ${lines.length} non-blank lines; ${tokens} tokens a round, ${rounds} rounds (median)\n`);
  console.log('| tokenizer | load | tokens/s | µs per 1,000 tokens |');
  console.log('|---|---:|---:|---:|');
  console.log(`| transformers.js | ${referenceLoadMs.toFixed(0)} ms | ${(slowRate / 1e6).toFixed(2)} M | ${(1e9 / slowRate).toFixed(0)} |`);
  console.log(`| WordPiece (ours) | ${oursLoadMs.toFixed(0)} ms | ${(fastRate / 1e6).toFixed(2)} M | ${(1e9 / fastRate).toFixed(0)} |`);
  console.log(`\nWordPiece is ${(fastRate / slowRate).toFixed(1)}× as fast.`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
