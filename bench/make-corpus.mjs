#!/usr/bin/env node
// Builds the benchmark corpora from real text: source code and Markdown docs of pinned npm packages,
// plus real PDF and DOCX files (the test fixtures, and package READMEs converted by LibreOffice when it
// is installed). Idempotent; tarballs are cached in bench/.cache.
//   bench/.corpus/small  the first packages                (~1/4 of the large corpus)
//   bench/.corpus/large  every package, plus larger documents
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchNpm as fetchPackage } from '../scripts/fetch-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'bench', '.cache');
const out = join(root, 'bench', '.corpus');
const SMALL = ['express@4.21.2', 'debug@4.4.3', 'ms@2.1.3', 'semver@7.7.3'];
const LARGE_ONLY = ['commander@14.0.2', 'yargs@17.7.2', 'minimatch@10.1.1', 'ajv@8.17.1', 'marked@16.4.1', 'ws@8.18.3', 'js-yaml@4.1.0'];
const KEEP = /\.(js|mjs|cjs|ts|mts|md|txt)$/i;
const SKIP = /(\.min\.|\.map$|\.d\.ts$|\.d\.mts$|\.d\.cts$|(^|\/)(dist|umd|browser|locales)\/|package-lock|CHANGELOG)/i;

function copyText(from, to) {
  let bytes = 0;
  for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    const rel = relative(from, abs);
    if (!KEEP.test(rel) || SKIP.test(rel) || rel.startsWith('node_modules')) continue;
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(abs, join(to, rel));
    bytes += statSync(abs).size;
  }
  return bytes;
}

function hasLibreOffice() {
  try {
    execFileSync('soffice', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A package README as a real PDF and DOCX, converted by LibreOffice. */
function convertReadme(pkgDir, name, to) {
  const readme = readdirSync(pkgDir).find((f) => /^readme\.md$/i.test(f));
  if (!readme) return;
  const tmp = join(cache, `convert-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const text = readFileSync(join(pkgDir, readme), 'utf8');
  const html = `<html><head><meta charset="utf-8"></head><body>${text
    .split(/\n{2,}/)
    .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n/g, '<br>')}</p>`)
    .join('\n')}</body></html>`;
  writeFileSync(join(tmp, `${name}-guide.html`), html);
  execFileSync('soffice', ['--headless', '--convert-to', 'pdf:writer_pdf_Export', `${name}-guide.html`], { cwd: tmp, stdio: 'ignore' });
  execFileSync('soffice', ['--headless', '--convert-to', 'docx:MS Word 2007 XML', `${name}-guide.html`], { cwd: tmp, stdio: 'ignore' });
  mkdirSync(to, { recursive: true });
  for (const ext of ['pdf', 'docx']) if (existsSync(join(tmp, `${name}-guide.${ext}`))) cpSync(join(tmp, `${name}-guide.${ext}`), join(to, `${name}-guide.${ext}`));
}

function build(target, specs, documents) {
  const marker = join(target, '.corpus.json');
  const wanted = JSON.stringify({ specs, documents: documents.map((d) => d.name) });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return;
  rmSync(target, { recursive: true, force: true });
  let bytes = 0;
  for (const spec of specs) bytes += copyText(fetchPackage(spec), join(target, 'packages', spec.split('@').slice(0, -1).join('@') || spec));
  for (const doc of documents) doc.make(join(target, 'documents'));
  writeFileSync(marker, wanted);
  console.log(`corpus ${relative(root, target)}: ${specs.length} packages, ${(bytes / 1024).toFixed(0)} KB of text, ${documents.length} document sources`);
}

const fixtures = join(root, 'test', 'fixtures', 'docs');
const fixtureDocs = {
  name: 'fixtures',
  make: (to) => {
    mkdirSync(to, { recursive: true });
    for (const f of ['solar-guide.pdf', 'beekeeping.docx']) cpSync(join(fixtures, f), join(to, f));
  },
};
const large = [fixtureDocs];
if (hasLibreOffice()) {
  for (const spec of ['yargs@17.7.2', 'marked@16.4.1']) {
    const name = spec.split('@')[0];
    large.push({ name: `${name}-readme`, make: (to) => convertReadme(fetchPackage(spec), name, to) });
  }
} else {
  console.warn('LibreOffice (soffice) not found: the large corpus has no converted README PDFs/DOCX.');
}
build(join(out, 'small'), SMALL, [fixtureDocs]);
build(join(out, 'large'), [...SMALL, ...LARGE_ONLY], large);
