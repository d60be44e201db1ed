// Packages the extension: `node scripts/package.mjs --target linux-x64` (what `npm run package` does),
// `--all` for every platform package and the universal one (`npm run package:all`). Each package is
// .vscodeignore's allow-list plus its target's ONNX Runtime (targets.mjs), checked by check-vsix.mjs.
// Expects a fresh `npm run build`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TARGETS, UNIVERSAL, runtimeFiles, vsixName } from './targets.mjs';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const args = process.argv.slice(2);
const targets = args.includes('--all') ? ALL_TARGETS : args.flatMap((arg, i) => (args[i - 1] === '--target' ? [arg] : []));
if (targets.length === 0) {
  console.error('usage: node scripts/package.mjs --target <target>... | --all');
  process.exit(2);
}

const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
mkdirSync(join(root, '.scratch'), { recursive: true });

/** A step's own output says what failed: exit with its code, without a stack trace of ours. */
function run(command, argv, options) {
  try {
    execFileSync(command, argv, options);
  } catch (error) {
    process.exit(typeof error.status === 'number' ? error.status : 1);
  }
}
for (const target of targets) {
  const started = Date.now();
  const ignoreFile = join(root, '.scratch', `vscodeignore-${target}`);
  writeFileSync(ignoreFile, `${base}\n# ${target}'s ONNX Runtime (scripts/targets.mjs)\n${runtimeFiles(target).map((file) => `!${file}`).join('\n')}\n`);
  const out = vsixName(pkg, target);
  run(
    process.execPath,
    ['--require', join(root, 'scripts', 'vsce-minimatch-cache.cjs'), vsce, 'package', ...(target === UNIVERSAL ? [] : ['--target', target]), '--ignoreFile', ignoreFile, '--out', out, '--allow-missing-repository', '--no-rewrite-relative-links'],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  run(process.execPath, [join(root, 'scripts', 'check-vsix.mjs'), out, '--target', target], { cwd: root, stdio: 'inherit' });
  console.log(`package: ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
