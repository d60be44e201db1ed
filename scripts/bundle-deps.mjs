// Which dependencies the esbuild bundles carry inside, and which stay files in node_modules.
// Pure-JS dependencies are bundled, so the packaged extension ships only what must stay a file:
//   onnxruntime-node    native binary (the .vsix keeps only its target platform's)
//   onnxruntime-web     the universal package's WebAssembly runtime: ort.node.min.js imports its
//                       .mjs and .wasm files by path, next to its own file
//   onnxruntime-common  its JS half, shared with transformers.js rather than bundled twice
//   piscina             its own worker.js and our worker bundles must share one module instance
//                       (piscina's worker script sets the `workerData` our workers import)
//   pdf-parse           pdf.js loads pdf.worker.mjs by path, next to pdf-parse's own file
//   @vscode/tree-sitter-wasm  its loader and the grammars are .wasm files found by path
//   @parcel/watcher     native binary per platform (the CLI's `quipu mcp` only; not in the .vsix)
// Measured sizes: docs/platforms.md, "What each package holds".
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

export const external = ['vscode', 'onnxruntime-node', 'onnxruntime-web', 'onnxruntime-common', 'piscina', 'pdf-parse', '@vscode/tree-sitter-wasm', '@parcel/watcher'];

const vectraLib = dirname(require.resolve('vectra'));

/**
 * vectra's index re-exports everything (OpenAI client, gRPC server, web fetchers, yargs): ~10 MB of
 * bundle evaluated at load. Quipu uses the local index, its codecs and its file storage only.
 */
const vectraSlim = {
  name: 'vectra-slim',
  setup(b) {
    b.onResolve({ filter: /^vectra$/ }, () => ({ path: 'vectra', namespace: 'vectra-slim' }));
    b.onLoad({ filter: /.*/, namespace: 'vectra-slim' }, () => ({
      resolveDir: vectraLib,
      loader: 'js',
      contents: ['./LocalIndex.js', './codecs/index.js', './storage/index.js']
        .map((file) => `Object.assign(module.exports, require(${JSON.stringify(file)}));`)
        .join('\n'),
    }));
  },
};

/**
 * vectra loads wink's English model (3.8 MB of JS, evaluated at load) for its BM25 keyword search,
 * which Quipu never asks for (it queries vectors only). A stub that fails loudly takes its place.
 */
const winkModelStub = {
  name: 'wink-model-stub',
  setup(b) {
    b.onResolve({ filter: /^wink-eng-lite-web-model$/ }, () => ({ path: 'wink-model', namespace: 'wink-model-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'wink-model-stub' }, () => ({
      loader: 'js',
      // Module plumbing may look at __esModule; anything else means someone uses the model.
      contents:
        'module.exports = new Proxy({}, { get(_, key) { if (key === "__esModule" || typeof key === "symbol") return undefined; ' +
        'throw new Error("Quipu does not ship wink-eng-lite-web-model: vectra BM25 search is not supported."); } });',
    }));
  },
};

/**
 * transformers.js requires sharp (native image codecs) at load; Quipu uses only its tokenizer, so a
 * stub that fails loudly if images are ever decoded takes sharp's place.
 */
const sharpStub = {
  name: 'sharp-stub',
  setup(b) {
    b.onResolve({ filter: /^sharp$/ }, () => ({ path: 'sharp', namespace: 'sharp-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'sharp-stub' }, () => ({
      loader: 'js',
      contents: 'module.exports = function sharp() { throw new Error("Quipu does not ship sharp: image input is not supported."); };',
    }));
  },
};

/**
 * transformers.js loads onnxruntime-node when it loads (and sets its log level), although Quipu uses
 * only its tokenizer: every chunk worker loaded the native binding for nothing, and the universal
 * package, which has no onnxruntime-node, could not tokenise at all. Its runtime becomes an empty
 * object (transformers.js then leaves ONNX Runtime alone); the embedders load theirs themselves.
 */
const transformersWithoutOnnx = {
  name: 'transformers-without-onnx',
  setup(b) {
    b.onLoad({ filter: /[\\/]@huggingface[\\/]transformers[\\/]dist[\\/]transformers\.node\.(mjs|cjs)$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const call = 'requireFromHere("onnxruntime-node")';
      if (!source.includes(call)) throw new Error(`${args.path} no longer loads onnxruntime-node as ${call}: update the transformers-without-onnx plugin`);
      return { contents: source.replace(call, '{} /* Quipu: tokenizer only, no ONNX Runtime (bundle-deps.mjs) */'), loader: 'js' };
    });
  },
};

/**
 * pdf.js creates a DOMMatrix when it loads. Node has none; pdf.js borrows it from @napi-rs/canvas,
 * whose 30 MB skia binary only rendering needs. Text extraction does not render, so pdf-parse gets
 * the pure-JS DOMMatrix from canvas's geometry.js (bundled) and the binary stays out of the .vsix.
 */
const canvasDir = dirname(require.resolve('@napi-rs/canvas/package.json', { paths: [dirname(require.resolve('pdf-parse'))] }));
const pdfParseGeometry = {
  name: 'pdf-parse-geometry',
  setup(b) {
    b.onResolve({ filter: /^pdf-parse$/ }, (args) =>
      args.namespace === 'pdf-parse-geometry' ? { path: 'pdf-parse', external: true } : { path: 'pdf-parse', namespace: 'pdf-parse-geometry' },
    );
    b.onLoad({ filter: /.*/, namespace: 'pdf-parse-geometry' }, () => ({
      resolveDir: canvasDir,
      loader: 'js',
      contents: [
        "if (typeof globalThis.DOMMatrix === 'undefined') globalThis.DOMMatrix = require('./geometry.js').DOMMatrix;",
        "module.exports = require('pdf-parse');",
      ].join('\n'),
    }));
  },
};

export const plugins = [vectraSlim, winkModelStub, sharpStub, transformersWithoutOnnx, pdfParseGeometry];

/** Files the bundled dependencies read at run time, relative to the bundle that loads them. */
export async function copyRuntimeFiles(outdir) {
  // vectra's ProtobufCodec reads schemas/index.proto next to its own file: next to the bundle now.
  await mkdir(join(outdir, 'schemas'), { recursive: true });
  await copyFile(join(vectraLib, 'codecs', 'schemas', 'index.proto'), join(outdir, 'schemas', 'index.proto'));
}
