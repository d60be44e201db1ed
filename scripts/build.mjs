// One esbuild script for every bundle: the CLI, the extension and each worker entry point.
// Worker entry points are bundles of their own because worker_threads loads them by file path.
// Pure-JS dependencies are bundled; bundle-deps.mjs says which stay in node_modules and why.
// The search panel's webview script is a browser bundle; its icon font is copied next to its CSS.
import { build } from 'esbuild';
import { copyRuntimeFiles, external, plugins } from './bundle-deps.mjs';
import { cpSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  plugins,
  logLevel: 'warning',
};

/**
 * transformers.js is a bundle of its own, dist/workers/transformers.js: only a tokenizer that is not
 * BERT WordPiece needs it (src/core/embed/tokenizer.ts imports it when one does), and carried inside
 * the CLI, the extension and each worker bundle, its 1.4 MB were parsed in every thread that loads
 * them (bench/MEMORY.md). The other bundles import it by its path from theirs (`from`: their folder).
 */
function transformersApart(from) {
  const path = from === 'workers' ? './transformers.js' : './workers/transformers.js';
  return {
    name: 'transformers-apart',
    setup(b) {
      b.onResolve({ filter: /^@huggingface\/transformers$/ }, () => ({ path, external: true }));
    },
  };
}

await Promise.all([
  build({ ...common, plugins: [transformersApart('dist'), ...plugins], entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' }),
  build({ ...common, plugins: [transformersApart('dist'), ...plugins], entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { transformers: '@huggingface/transformers' }, outdir: 'dist/workers' }),
  build({
    ...common,
    plugins: [transformersApart('workers'), ...plugins],
    entryPoints: {
      'extract-process': 'src/workers/extract-process.ts',
      'pool-host': 'src/workers/pool-host.ts',
      'chunk-worker': 'src/workers/chunk-worker.ts',
      'embed-worker': 'src/workers/embed-worker.ts',
    },
    outdir: 'dist/workers',
  }),
  build({
    entryPoints: { panel: 'src/webview/panel.ts' },
    outdir: 'dist/webview',
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
await copyRuntimeFiles('dist');

// Codicons for the webview (media/codicons is git-ignored; the .vsix ships the copy, with its license).
const codicons = new URL('../node_modules/@vscode/codicons/', import.meta.url);
const codiconsOut = new URL('../media/codicons/', import.meta.url);
mkdirSync(codiconsOut, { recursive: true });
for (const file of ['dist/codicon.css', 'dist/codicon.ttf', 'LICENSE', 'LICENSE-CODE']) {
  cpSync(new URL(file, codicons), new URL(file.replace('dist/', ''), codiconsOut));
}
if (watch) console.log('watch mode is not supported by this script; run it again after edits.');
