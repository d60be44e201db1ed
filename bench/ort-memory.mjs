/**
 * `node bench/ort-memory.mjs [sessions=2] [sessionOptionsJSON]`: where an embedding worker's memory
 * goes. Starts that many worker threads, each creating one onnxruntime-node session of the bundled
 * model with Quipu's options (overridden by the JSON), then 40 single-sequence runs of 16–255 tokens
 * in each; prints the process RSS after each session, after the runs and its peak. No Quipu code and
 * no tokenizer: the cost of ONNX Runtime alone (bench/SCALING.md, "Memory of an embedding session").
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODEL = process.env.QUIPU_ORT_MODEL || join(ROOT, 'models', 'all-MiniLM-L6-v2', 'onnx', 'model_quantized.onnx');
const rssMb = () => Math.round(process.memoryUsage.rss() / 1048576);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

if (isMainThread) {
  const sessions = Number(process.argv[2] ?? 2);
  const options = JSON.parse(process.argv[3] ?? '{}');
  console.log(`options ${JSON.stringify(options)}; process before any session: ${rssMb()} MB`);
  const workers = [];
  for (let i = 0; i < sessions; i++) {
    const worker = new Worker(new URL(import.meta.url), { workerData: { options } });
    await new Promise((resolve) => worker.once('message', resolve));
    console.log(`session ${i + 1} created: ${rssMb()} MB`);
    workers.push(worker);
  }
  const ms = await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage('run'); })));
  console.log(`after 40 runs in each: ${rssMb()} MB, peak ${peakMb()} MB; ms per run: ${ms.map((m) => (m / 40).toFixed(1)).join(', ')}`);
  await Promise.all(workers.map((w) => w.terminate()));
} else {
  const ort = createRequire(import.meta.url)(join(ROOT, 'node_modules', 'onnxruntime-node'));
  const session = await ort.InferenceSession.create(MODEL, {
    executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential',
    ...workerData.options,
  });
  parentPort.postMessage('created');
  parentPort.once('message', async () => {
    const started = performance.now();
    for (let k = 0; k < 40; k++) {
      const length = 16 + ((k * 37) % 240);
      const tensor = (fill) => new ort.Tensor('int64', new BigInt64Array(length).fill(fill), [1, length]);
      const feeds = { input_ids: tensor(1000n), attention_mask: tensor(1n) };
      if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = tensor(0n);
      await session.run(feeds);
    }
    parentPort.postMessage(performance.now() - started);
  });
}
