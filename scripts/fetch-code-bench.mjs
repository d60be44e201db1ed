// `node scripts/fetch-code-bench.mjs [id...]`: fetches every corpus of the code benchmark (bench/code/*.json),
// each pinned (npm, PyPI or Debian, see fetch-packages.mjs), and prints where each one's indexed root is.
// The harness (bench/code-bench.ts) calls fetchCodeCorpus for the repositories it runs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchDebian, fetchNpm, fetchSdist } from './fetch-packages.mjs';

export const CODE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench', 'code');

/** The benchmark's repository files, sorted by id. */
export function codeBenchFiles() {
  return readdirSync(CODE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(CODE_DIR, f));
}

/** What a source names, for messages: "npm express@4.21.2", "debian libstb-dev=0.0~…". */
export function describeSource(source) {
  if (source?.kind === 'debian') return `debian ${source.package}=${source.version}`;
  return `${source?.kind} ${source?.spec}`;
}

/** Fetches one repository's pinned source; returns the folder to index (the package root joined with `root`). */
export async function fetchCodeCorpus(file) {
  const { source } = JSON.parse(readFileSync(file, 'utf8'));
  let top;
  try {
    if (source?.kind === 'npm' && typeof source.spec === 'string') top = fetchNpm(source.spec);
    else if (source?.kind === 'pypi' && typeof source.spec === 'string') top = await fetchSdist(source.spec);
    else if (source?.kind === 'debian' && typeof source.package === 'string' && typeof source.version === 'string') top = fetchDebian(source.package, source.version);
    else throw new Error('"source" must be {kind:"npm", spec}, {kind:"pypi", spec} or {kind:"debian", package, version}');
  } catch (error) {
    throw new Error(`${file}: cannot fetch ${describeSource(source)}: ${error.message}`, { cause: error });
  }
  const folder = source.root ? join(top, source.root) : top;
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`${file}: ${describeSource(source)} has no folder "${source.root}" (looked in ${top})`);
  return folder;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  const files = codeBenchFiles().filter((f) => only.length === 0 || only.includes(f.slice(f.lastIndexOf('/') + 1, -'.json'.length)));
  let failed = 0;
  for (const file of files) {
    try {
      console.log(`${file.slice(file.lastIndexOf('/') + 1)}\t${await fetchCodeCorpus(file)}`);
    } catch (error) {
      failed++;
      console.error(error.message);
    }
  }
  if (failed > 0) {
    console.error(`${failed} of ${files.length} corpora could not be fetched`);
    process.exit(1);
  }
}
