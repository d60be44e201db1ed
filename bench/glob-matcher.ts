/**
 * `npm run bench:glob`: the CPU time of `files/glob.ts` against the packages it replaced (`ignore` for
 * ignore files, `picomatch` for globs) on the same 100k generated paths, as discovery and the search
 * filter ask them: every folder once (with its trailing `/`), then every file, against the default
 * excludes plus a typical `.gitignore`; and two globs per path. One run; the ratio is what to read.
 */
import ignore from 'ignore';
import picomatch from 'picomatch';
import { DEFAULT_EXCLUDES } from '../src/core/files/discover';
import { compileGlobs, IgnoreRules } from '../src/core/files/glob';

const GITIGNORE = `# a typical project's
node_modules/
/dist
/build/
*.log
logs/
.env
.env.*
!.env.example
coverage/
*.tsbuildinfo
.DS_Store
tmp/**
/generated/*
!/generated/keep.ts
**/__snapshots__/
docs/**/*.pdf
*.sw[op]
`;

function paths(count: number): { files: string[]; folders: string[] } {
  let seed = 42;
  const random = () => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const dirs = ['src', 'lib', 'test', 'docs', 'packages', 'core', 'utils', 'components', 'api', 'server', 'client', 'generated', 'logs', 'tmp', 'fixtures', '__snapshots__'];
  const exts = ['ts', 'js', 'md', 'json', 'py', 'go', 'rs', 'log', 'txt', 'tsx', 'css', 'pdf', 'swp', 'snap'];
  const words = ['index', 'main', 'util', 'parser', 'client', 'server', 'config', 'types', 'helpers', 'retry', 'cache', 'store', 'keep'];
  const files: string[] = [];
  const folders = new Set<string>();
  for (let i = 0; i < count; i++) {
    const depth = 1 + Math.floor(random() * 6);
    const parts: string[] = [];
    for (let d = 0; d < depth; d++) {
      parts.push(d === 0 || random() < 0.6 ? pick(dirs) : `${pick(words)}-${Math.floor(random() * 50)}`);
      folders.add(parts.join('/'));
    }
    files.push(`${parts.join('/')}/${pick(words)}${random() < 0.3 ? `.${pick(words)}` : ''}.${pick(exts)}`);
  }
  return { files, folders: [...folders].sort() };
}

function cpuMs(body: () => number): { ms: number; hits: number } {
  const start = process.cpuUsage();
  const hits = body();
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, hits };
}

const { files, folders } = paths(100_000);
const asked = [...folders.map((f) => `${f}/`), ...files];

const old = cpuMs(() => {
  const defaults = ignore().add(DEFAULT_EXCLUDES);
  const project = ignore().add(GITIGNORE);
  let hits = 0;
  for (const path of asked) {
    const a = defaults.test(path);
    const b = project.test(path);
    if ((a.ignored && !b.unignored) || b.ignored) hits++;
  }
  return hits;
});
const ours = cpuMs(() => {
  const defaults = new IgnoreRules(DEFAULT_EXCLUDES);
  const project = new IgnoreRules(GITIGNORE);
  let hits = 0;
  for (const path of asked) {
    const a = defaults.verdict(path);
    const b = project.verdict(path);
    if ((a === true && b !== false) || b === true) hits++;
  }
  return hits;
});

const GLOBS = ['src/**/*.ts', '**/*.{md,txt}'];
const oldGlobs = cpuMs(() => {
  const match = picomatch(GLOBS, { dot: true });
  return files.filter((p) => match(p)).length;
});
const ourGlobs = cpuMs(() => {
  const match = compileGlobs(GLOBS);
  return files.filter((p) => match(p)).length;
});

console.log(`${asked.length} paths (${folders.length} folders, ${files.length} files)`);
console.log(`ignore rules: ignore ${old.ms.toFixed(0)} ms CPU (${old.hits} ignored), glob.ts ${ours.ms.toFixed(0)} ms (${ours.hits} ignored): ratio ${(ours.ms / old.ms).toFixed(2)}`);
console.log(`globs:        picomatch ${oldGlobs.ms.toFixed(0)} ms CPU (${oldGlobs.hits} matched), glob.ts ${ourGlobs.ms.toFixed(0)} ms (${ourGlobs.hits} matched): ratio ${(ourGlobs.ms / oldGlobs.ms).toFixed(2)}`);
console.log(`per path: glob.ts ${((ours.ms * 1000) / asked.length).toFixed(2)} µs for the ignore rules`);
