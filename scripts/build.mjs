// One esbuild script for every bundle: the CLI, the extension and each worker entry point.
// Worker entry points are bundles of their own because worker_threads loads them by file path.
// Dependencies stay external: onnxruntime-node and pdf.js ship native or worker files of their own.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), 'vscode'];
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external,
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: 'dist' }),
  build({ ...common, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: 'dist' }),
  build({
    ...common,
    entryPoints: {
      'extract-worker': 'src/workers/extract-worker.ts',
      'chunk-worker': 'src/workers/chunk-worker.ts',
      'embed-worker': 'src/workers/embed-worker.ts',
    },
    outdir: 'dist/workers',
  }),
]);
if (watch) console.log('watch mode is not supported by this script; run it again after edits.');
