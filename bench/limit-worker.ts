/**
 * Worker thread of limit-child.ts: one ONNX Runtime session that embeds each batch of ids it is sent
 * and answers when done. A session per thread, as in the embedding workers, so that two run in
 * parallel (ONNX Runtime's node binding runs a session on the thread that calls it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { packBatch } from '../src/core/embed/batch';
import { OnnxEmbedder } from '../src/core/embed/onnx-embedder';

async function main(): Promise<void> {
  const { onnxPath, threads } = workerData as { onnxPath: string; threads: number };
  const embedder = await OnnxEmbedder.create(onnxPath, threads);
  parentPort!.on('message', (batch: number[][] | null) => {
    if (batch === null) {
      void embedder.release().then(() => process.exit(0));
      return;
    }
    void embedder.embed(packBatch(batch)).then(() => parentPort!.postMessage('done'));
  });
  parentPort!.postMessage('ready');
}

void main();
