// Pinned source packages from the registries, cached in bench/.cache (shared by the benchmark corpus,
// the eval datasets and the chunk-coverage benchmark): npm tarballs with `npm pack`, PyPI sdists
// through PyPI's JSON simple index (no build step: pip would prepare each sdist's metadata, which
// needs its build backend), checked against the index's sha256; Debian packages with `apt-get download`
// (apt checks the archive's signed hashes), unpacked with `dpkg-deb -x`.
/* global fetch */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** A Debian package (`package`, exact `version`) unpacked into `root/`; returns that folder. The .deb's
 * sha256 is recorded on download (or when a folder unpacked by hand is first reused) and checked whenever
 * the cache is reused. */
export function fetchDebian(pkg, version) {
  const dir = join(CACHE, `debian__${pkg}_${version}`);
  const unpacked = join(dir, 'root');
  const record = join(dir, '.sha256');
  const debOf = () => readdirSync(dir).find((entry) => entry.endsWith('.deb'));
  const deb = existsSync(unpacked) ? debOf() : undefined;
  if (deb) {
    const sha256 = createHash('sha256').update(readFileSync(join(dir, deb))).digest('hex');
    // Unpacked by hand the same way (`apt-get download`, `dpkg-deb -x`): recorded from now on.
    if (!existsSync(record)) writeFileSync(record, sha256 + '\n');
    else if (sha256 !== readFileSync(record, 'utf8').trim()) throw new Error(`${join(dir, deb)} changed since it was fetched (sha256 ${sha256}); delete ${dir} and fetch again`);
    return unpacked;
  }
  if (existsSync(record)) throw new Error(`${dir}: the .deb or its unpacked root/ is gone; delete the folder and fetch again`);
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('apt-get', ['download', `${pkg}=${version}`], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // No empty folder left behind to look like a fetched package.
    if (fresh) rmSync(dir, { recursive: true, force: true });
    const detail = String(error.stderr ?? error.message).trim().split('\n').pop();
    throw new Error(`apt-get cannot download ${pkg}=${version}: ${detail} (run \`apt-get update\`, or check \`apt-cache policy ${pkg}\` for the versions on offer)`);
  }
  const downloaded = debOf();
  if (!downloaded) throw new Error(`apt-get download ${pkg}=${version} left no .deb in ${dir}`);
  execFileSync('dpkg-deb', ['-x', join(dir, downloaded), unpacked]);
  writeFileSync(record, createHash('sha256').update(readFileSync(join(dir, downloaded))).digest('hex') + '\n');
  return unpacked;
}
