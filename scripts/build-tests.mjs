// Bundles the integration suites for the extension host, which loads JavaScript: one file per suite
// plus the mocha entry point (test/integration/index.ts) in dist/test/integration. `vscode` comes
// from the host; mocha is loaded from node_modules at run time, as its own reporters expect.
// Also bundles the extension-host sides of `npm run bench:vscode` and `bench:soak` (bench/*-host.ts) into dist/bench.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const dir = 'test/integration';
const outdir = 'dist/test/integration';
const suites = readdirSync(dir).filter((file) => file.endsWith('.test.ts'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning' };
rmSync(outdir, { recursive: true, force: true });
rmSync('dist/bench', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: [`${dir}/index.ts`, ...suites.map((file) => `${dir}/${file}`)], outdir }),
  build({ ...common, entryPoints: ['bench/vscode-host.ts', 'bench/soak-host.ts'], outdir: 'dist/bench' }),
]);
