// Compiles src/core/store/dot.wat (the vector scan's SIMD kernel) and embeds the binary, base64, in
// src/core/store/dot-kernel.ts between its BEGIN/END markers. Embedding it keeps the kernel working
// the same from the tsx sources, the esbuild bundles and the .vsix, with no file to locate at run time.
// A unit test checks that the embedded binary is what this script makes of dot.wat.
import initWabt from 'wabt';
import { readFileSync, writeFileSync } from 'node:fs';

export async function compileKernel(watPath) {
  const wabt = await initWabt();
  const module = wabt.parseWat('dot.wat', readFileSync(watPath, 'utf8'), { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer).toString('base64');
  } finally {
    module.destroy();
  }
}

async function main() {
  const wat = new URL('../src/core/store/dot.wat', import.meta.url).pathname;
  const target = new URL('../src/core/store/dot-kernel.ts', import.meta.url).pathname;
  const base64 = await compileKernel(wat);
  const source = readFileSync(target, 'utf8');
  const updated = source.replace(/(\/\/ BEGIN kernel\n).*?(\n\s*\/\/ END kernel)/s, `$1export const KERNEL_BASE64 =\n  '${base64}';$2`);
  if (updated === source) console.log('dot-kernel.ts is up to date');
  else {
    writeFileSync(target, updated);
    console.log(`dot-kernel.ts: ${Buffer.from(base64, 'base64').length} bytes of WebAssembly`);
  }
}

// No top-level await: the unit test imports compileKernel through tsx, which compiles to CommonJS.
if (import.meta.url === `file://${process.argv[1]}`) void main();
