/**
 * `npm run bench:runtimes`: the native ONNX Runtime (onnxruntime-node) against the WebAssembly one
 * (onnxruntime-web, what the universal package runs) on the same inputs, one thread each, in one
 * process, rounds alternating so that a busy machine slows both alike. Prints chunks/s and the ratio,
 * by the clock and by the process's CPU time (which a machine shared with other work disturbs less).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packBatch } from '../src/core/embed/batch';
import { defaultModelDir, resolveModel } from '../src/core/embed/model';
import { OnnxEmbedder } from '../src/core/embed/onnx-embedder';
import { loadRuntime } from '../src/core/embed/runtime';
import { loadTokenizer } from '../src/core/embed/tokenizer';

const ROUNDS = Number(process.env.ROUNDS ?? 3);

async function main(): Promise<void> {
  const model = await resolveModel('');
  const tokenizer = await loadTokenizer(defaultModelDir());
  // Chunks of the fixture corpus and the README, about 200 tokens each: the size indexing embeds.
  const texts = [join(__dirname, '..', 'README.md'), ...readdirSync(join(__dirname, '..', 'src', 'core', 'search')).map((f) => join(__dirname, '..', 'src', 'core', 'search', f))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n')
    .split(/\s+/)
    .reduce<string[]>((chunks, word, i) => {
      if (i % 140 === 0) chunks.push('');
      chunks[chunks.length - 1] += `${word} `;
      return chunks;
    }, [])
    .slice(0, 24);
  const inputs = texts.map((text) => tokenizer.encodeForModel(text, 256));
  const tokens = inputs.reduce((sum, ids) => sum + ids.length, 0);
  const embedders = {
    native: await OnnxEmbedder.create(model.onnxPath, 1, loadRuntime('native')),
    wasm: await OnnxEmbedder.create(model.onnxPath, 1, loadRuntime('wasm')),
  };
  const seconds = { native: 0, wasm: 0 };
  const cpuSeconds = { native: 0, wasm: 0 };
  for (const embedder of Object.values(embedders)) await embedder.embed(packBatch([inputs[0]])); // warm up
  for (let round = 0; round < ROUNDS; round++) {
    for (const backend of ['native', 'wasm'] as const) {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      for (const ids of inputs) await embedders[backend].embed(packBatch([ids]));
      seconds[backend] += Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      cpuSeconds[backend] += (used.user + used.system) / 1e6;
    }
  }
  const rate = (backend: 'native' | 'wasm') => (inputs.length * ROUNDS) / seconds[backend];
  console.log(`${inputs.length} chunks (${(tokens / inputs.length).toFixed(0)} tokens on average) × ${ROUNDS} rounds, one thread each, batch 1`);
  console.log(`native (onnxruntime-node):     ${rate('native').toFixed(1)} chunks/s`);
  console.log(`WebAssembly (onnxruntime-web): ${rate('wasm').toFixed(1)} chunks/s`);
  console.log(`native / WebAssembly: ${(rate('native') / rate('wasm')).toFixed(1)}× by the clock, ${(cpuSeconds.wasm / cpuSeconds.native).toFixed(1)}× by CPU time`);
  await Promise.all(Object.values(embedders).map((e) => e.release()));
}

void main();
