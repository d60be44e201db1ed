// Pinned source packages from the registries, cached in bench/.cache (shared by the benchmark corpus,
// the eval datasets and the chunk-coverage benchmark): npm tarballs with `npm pack`, PyPI sdists
// through PyPI's JSON simple index (no build step: pip would prepare each sdist's metadata, which
// needs its build backend), checked against the index's sha256.
/* global fetch */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(root, 'bench', '.cache');

/** An npm package (`name@version`) unpacked; returns its folder. */
export function fetchNpm(spec) {
  const dir = join(CACHE, spec.replace('/', '__'));
  if (existsSync(join(dir, 'package'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  execFileSync('tar', ['-xzf', join(dir, filename), '-C', dir]);
  return join(dir, 'package');
}

/** A PyPI source distribution (`name==version`) unpacked; returns its folder. */
export async function fetchSdist(spec) {
  const [name, version] = spec.split('==');
  const dir = join(CACHE, `pypi__${name}-${version}`);
  const done = join(dir, '.unpacked');
  if (existsSync(done)) return join(dir, readFileSync(done, 'utf8').trim());
  mkdirSync(dir, { recursive: true });
  const index = await fetch(`https://pypi.org/simple/${name}/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } });
  if (!index.ok) throw new Error(`PyPI has no index for ${name}: HTTP ${index.status}`);
  const normalized = (s) => s.toLowerCase().replace(/[-_.]+/g, '_');
  const file = (await index.json()).files.find((f) => /\.tar\.gz$/.test(f.filename) && normalized(f.filename) === normalized(`${name}-${version}.tar.gz`));
  if (!file) throw new Error(`PyPI has no sdist ${name}-${version}.tar.gz`);
  const response = await fetch(file.url);
  if (!response.ok) throw new Error(`${file.filename}: HTTP ${response.status}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (file.hashes?.sha256 && file.hashes.sha256 !== sha256) throw new Error(`${file.filename}: sha256 ${sha256}, the index says ${file.hashes.sha256}`);
  const archive = join(dir, file.filename);
  writeFileSync(archive, bytes);
  const before = new Set(readdirSync(dir));
  execFileSync('tar', ['-xzf', archive, '-C', dir]);
  const top = readdirSync(dir).find((entry) => !before.has(entry));
  if (!top) throw new Error(`${file.filename} unpacked to nothing`);
  writeFileSync(done, top);
  return join(dir, top);
}
