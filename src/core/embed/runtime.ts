/**
 * Which ONNX Runtime runs the model: onnxruntime-node's native binary when it loads, else
 * onnxruntime-web's WebAssembly build (SIMD, with threads when asked for more than one), with the
 * reason. The platform packages ship the native binary of their target; the universal package
 * (darwin-x64, alpine, any other target) ships the WebAssembly build only. Both share
 * onnxruntime-common's API, so the session code does not care which one it got.
 *
 * `QUIPU_EMBED_BACKEND=wasm` skips the native binary (tests, and to compare the two);
 * `QUIPU_EMBED_BACKEND=native` fails rather than fall back.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as common from 'onnxruntime-common';
import { packageRoot } from '../files/package-root';

export type EmbedBackend = 'native' | 'wasm';

export interface OrtModule {
  InferenceSession: typeof common.InferenceSession;
  Tensor: typeof common.Tensor;
  env: common.Env;
}

export interface EmbedRuntime {
  backend: EmbedBackend;
  /** Why the WebAssembly build runs rather than the native one; absent when native. */
  reason?: string;
  ort: OrtModule;
  /** The session options that differ between the two. */
  sessionOptions(intraOpThreads: number): common.InferenceSession.SessionOptions;
}

/** Which runtime an embedding worker got (what the status reports show). */
export interface RuntimeInfo {
  backend: EmbedBackend;
  /** Why the WebAssembly build runs instead of the native binary. */
  reason?: string;
}

/** One line for a person: which runtime embeds, and why when it is the slower one. */
export function describeRuntime(info: RuntimeInfo): string {
  return info.backend === 'native'
    ? `native ONNX Runtime (onnxruntime-node, ${process.platform}-${process.arch})`
    : `WebAssembly ONNX Runtime (onnxruntime-web, several times slower than native), because ${info.reason ?? 'the native one did not load'}`;
}

/** What `QUIPU_EMBED_BACKEND` asks for: a backend, or undefined for "native, else wasm". */
export function requestedBackend(value = process.env.QUIPU_EMBED_BACKEND): EmbedBackend | undefined {
  if (!value) return undefined;
  if (value === 'native' || value === 'wasm') return value;
  throw new Error(`QUIPU_EMBED_BACKEND must be "native" or "wasm", not "${value}".`);
}

/** The first runtime that loads. Cheap after the first call (Node caches the modules). */
export function loadRuntime(requested = requestedBackend()): EmbedRuntime {
  let reason: string;
  if (requested === 'wasm') {
    reason = 'QUIPU_EMBED_BACKEND=wasm';
  } else {
    try {
      return nativeRuntime();
    } catch (error) {
      reason = nativeFailure(error);
      if (requested === 'native') throw new Error(`The native ONNX Runtime did not load (QUIPU_EMBED_BACKEND=native): ${reason}`);
    }
  }
  try {
    return wasmRuntime(reason);
  } catch (error) {
    throw new Error(
      `No ONNX Runtime loads here. Native: ${reason}. WebAssembly: ${(error as Error).message}. ` +
        'The universal Quipu package (quipu-universal-*.vsix) embeds with WebAssembly on any platform.',
    );
  }
}

/**
 * A runtime package from Quipu's own node_modules, never one found further up the folder tree (an
 * extension folder inside someone's project must not pick up that project's onnxruntime-node).
 * A require, not an import: the universal package has no onnxruntime-node and must still load.
 */
function ownPackage(name: string): { dir: string; module: OrtModule } {
  const dir = join(packageRoot(), 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) throw Object.assign(new Error(`${name} is not in ${dir}`), { code: 'QUIPU_NOT_SHIPPED' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return { dir, module: require(dir) as OrtModule };
}

function nativeRuntime(): EmbedRuntime {
  const ort = ownPackage('onnxruntime-node').module;
  return {
    backend: 'native',
    ort,
    sessionOptions: (threads) => ({
      executionProviders: ['cpu'],
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    }),
  };
}

function wasmRuntime(reason: string): EmbedRuntime {
  const { dir, module: ort } = ownPackage('onnxruntime-web');
  // Where its .mjs and .wasm are: beside its entry file. (Left to guess, it looks beside the bundle
  // that loaded it, or on a CDN.)
  ort.env.wasm.wasmPaths = `${pathToFileURL(join(dir, 'dist')).href}/`;
  return {
    backend: 'wasm',
    reason,
    ort,
    sessionOptions: (threads) => {
      // One setting for the whole module: the first session's threads count (a worker has one session).
      ort.env.wasm.numThreads = Math.max(1, threads);
      ort.env.wasm.simd = true;
      return { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' };
    },
  };
}

/** A short reason a user can read: which file was missing or which error the binding raised. */
function nativeFailure(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err.code === 'QUIPU_NOT_SHIPPED') return `this package has no native ONNX Runtime (onnxruntime-node) for ${process.platform}-${process.arch}`;
  const first = (err.message ?? String(error)).split('\n')[0];
  return `onnxruntime-node failed to load on ${process.platform}-${process.arch}: ${first}`;
}
