/**
 * One ONNX Runtime session and the tensor plumbing around it. Runs inside an embedding worker
 * (and directly in the benchmark's "limit" measurement). Input is pre-tokenised: a batch of id
 * sequences packed into one Int32Array, so it crosses threads without copying. The runtime is
 * onnxruntime-node or onnxruntime-web's WebAssembly build (runtime.ts).
 */
import { readFile } from 'node:fs/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { packBatch, type PackedBatch } from './batch';
import { meanPoolNormalize } from './pooling';
import { loadRuntime, type EmbedRuntime } from './runtime';

export class OnnxEmbedder {
  private constructor(
    private readonly session: InferenceSession,
    private readonly runtime: EmbedRuntime,
    readonly dimensions: number,
  ) {}

  static async create(onnxPath: string, intraOpThreads: number, runtime: EmbedRuntime = loadRuntime()): Promise<OnnxEmbedder> {
    // The WebAssembly build reads no files itself: it gets the model's bytes.
    const model = runtime.backend === 'wasm' ? await readFile(onnxPath) : onnxPath;
    const options = runtime.sessionOptions(intraOpThreads);
    const session = typeof model === 'string' ? await runtime.ort.InferenceSession.create(model, options) : await runtime.ort.InferenceSession.create(model, options);
    const output = session.outputMetadata[0];
    const shape = output && 'shape' in output ? output.shape : [];
    const dims = shape[shape.length - 1];
    const embedder = new OnnxEmbedder(session, runtime, typeof dims === 'number' ? dims : 0);
    if (!embedder.dimensions) {
      // Shape not declared in the graph: learn it from one tiny run.
      const probe = await embedder.runRaw(packBatch([[0]]));
      return new OnnxEmbedder(session, runtime, probe.dims[2]);
    }
    return embedder;
  }

  /** Mean-pooled, L2-normalised vectors, `dimensions` floats per sequence. */
  async embed(batch: PackedBatch): Promise<Float32Array> {
    const { data, dims, mask } = await this.runRaw(batch);
    return meanPoolNormalize(data, mask, dims[0], dims[1], dims[2]);
  }

  private async runRaw(batch: PackedBatch): Promise<{ data: Float32Array; dims: readonly number[]; mask: BigInt64Array }> {
    const count = batch.lengths.length;
    const width = Math.max(...batch.lengths);
    const inputIds = new BigInt64Array(count * width);
    const mask = new BigInt64Array(count * width);
    let offset = 0;
    for (let b = 0; b < count; b++) {
      const length = batch.lengths[b];
      for (let t = 0; t < length; t++) {
        inputIds[b * width + t] = BigInt(batch.ids[offset + t]);
        mask[b * width + t] = 1n;
      }
      offset += length;
    }
    const { Tensor: RuntimeTensor } = this.runtime.ort;
    const feeds: Record<string, Tensor> = {
      input_ids: new RuntimeTensor('int64', inputIds, [count, width]),
      attention_mask: new RuntimeTensor('int64', mask, [count, width]),
    };
    if (this.session.inputNames.includes('token_type_ids')) {
      feeds.token_type_ids = new RuntimeTensor('int64', new BigInt64Array(count * width), [count, width]);
    }
    const results = await this.session.run(feeds);
    const output = results[this.session.outputNames[0]];
    const data = output.data as Float32Array;
    return { data, dims: output.dims, mask };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
