/**
 * The code benchmark's dataset files (bench/code/<id>.json, described in bench/CODE-BENCH.md): one
 * repository each, pinned to a registry package, with questions written by reading its code and graded
 * answers (files, or line spans in them). This module reads and checks them; it fetches nothing.
 *
 *   { "name": "cobra", "language": "Go", "heldOut": true, "description": "one line",
 *     "source": { "kind": "debian", "package": "golang-github-spf13-cobra-dev", "version": "1.6.1-1",
 *                 "root": "usr/share/gocode/src/github.com/spf13/cobra" },
 *     "queries": [ { "query": "how are persistent flags merged into a child command", "category": "architecture",
 *                    "relevant": [ { "path": "command.go", "startLine": 1640, "endLine": 1700 },
 *                                  { "path": "cobra.go", "grade": 1 } ] } ] }
 *
 * `source` is { kind: "npm", spec: "name@1.2.3" } (the tarball's package/ folder), { kind: "pypi", spec:
 * "name==1.2.3" } (the sdist's top folder) or { kind: "debian", package, version } (the unpacked .deb); `root`
 * is a folder inside it, the one indexed; paths are relative to it. Lines are 1-based and inclusive; no lines
 * means the whole file. `grade` is 2 (the answer, the default) or 1 (also acceptable).
 */
import { normalizePath, type GradedAnswer } from './metrics';

export const CODE_CATEGORIES = ['architecture', 'semantic', 'symbol'] as const;
export type CodeCategory = (typeof CODE_CATEGORIES)[number];

/** Fewer questions than this per repository and its numbers say little. */
export const MIN_QUERIES_PER_REPO = 18;

export type CodeSource =
  | { kind: 'npm'; spec: string; root?: string }
  | { kind: 'pypi'; spec: string; root?: string }
  | { kind: 'debian'; package: string; version: string; root?: string };

export interface CodeQuery {
  query: string;
  category: CodeCategory;
  relevant: GradedAnswer[];
}

export interface CodeRepo {
  /** The file name without .json. */
  id: string;
  name: string;
  language: string;
  source: CodeSource;
  heldOut: boolean;
  description: string;
  queries: CodeQuery[];
}

/** Everything wrong with one file, each line naming the file and the question. */
export class CodeDatasetError extends Error {
  override name = 'CodeDatasetError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Parses one repository's JSON; throws CodeDatasetError listing every structural problem. */
export function parseCodeRepo(raw: unknown, id: string, file = `${id}.json`): CodeRepo {
  const problems: string[] = [];
  const fail = (what: string) => problems.push(`${file}: ${what}`);
  if (!isObject(raw)) throw new CodeDatasetError([`${file}: expected a JSON object`]);
  for (const key of ['name', 'language', 'description'] as const) if (typeof raw[key] !== 'string' || !raw[key].trim()) fail(`"${key}" must be a non-empty string`);
  if (typeof raw.heldOut !== 'boolean') fail('"heldOut" must be true or false');
  const source = raw.source;
  if (!isObject(source)) fail('"source" must be an object');
  else if (source.kind === 'npm' || source.kind === 'pypi') {
    if (typeof source.spec !== 'string' || !(source.kind === 'npm' ? /.@\d/ : /.==\d/).test(source.spec)) fail(`"source.spec" must pin a version (${source.kind === 'npm' ? 'name@1.2.3' : 'name==1.2.3'})`);
  } else if (source.kind === 'debian') {
    if (typeof source.package !== 'string' || typeof source.version !== 'string' || !source.version) fail('"source" of kind debian needs "package" and an exact "version"');
  } else fail('"source.kind" must be npm, pypi or debian');
  if (isObject(source) && source.root !== undefined && (typeof source.root !== 'string' || !source.root || source.root.startsWith('/'))) fail('"source.root" must be a relative folder');
  if (!Array.isArray(raw.queries)) fail('"queries" must be an array');
  const queries: CodeQuery[] = [];
  (Array.isArray(raw.queries) ? raw.queries : []).forEach((q: unknown, i: number) => {
    const where = `queries[${i}]`;
    if (!isObject(q) || typeof q.query !== 'string' || !q.query.trim()) return fail(`${where}: "query" must be a non-empty string`);
    const label = `${where} "${q.query}"`;
    if (!CODE_CATEGORIES.includes(q.category as CodeCategory)) fail(`${label}: "category" must be one of ${CODE_CATEGORIES.join(', ')}`);
    if (!Array.isArray(q.relevant) || q.relevant.length === 0) return fail(`${label}: "relevant" must be a non-empty array`);
    const relevant: GradedAnswer[] = [];
    const before = problems.length;
    (q.relevant as unknown[]).forEach((a, j) => {
      const at = `${label} relevant[${j}]`;
      if (!isObject(a) || typeof a.path !== 'string' || !a.path) return fail(`${at}: "path" must be a non-empty string`);
      const grade = a.grade ?? 2;
      if (grade !== 1 && grade !== 2) fail(`${at}: "grade" must be 1 or 2`);
      const hasStart = a.startLine !== undefined;
      if (hasStart !== (a.endLine !== undefined)) return fail(`${at}: give both "startLine" and "endLine", or neither (a whole file)`);
      if (hasStart && (!Number.isInteger(a.startLine) || !Number.isInteger(a.endLine) || (a.startLine as number) < 1 || (a.endLine as number) < (a.startLine as number))) {
        return fail(`${at}: lines must be whole numbers with 1 ≤ startLine ≤ endLine`);
      }
      relevant.push({ path: normalizePath(a.path), grade: grade as number, ...(hasStart ? { startLine: a.startLine as number, endLine: a.endLine as number } : {}) });
    });
    if (problems.length === before && !relevant.some((a) => a.grade === 2)) fail(`${label}: needs at least one answer of grade 2`);
    queries.push({ query: q.query, category: q.category as CodeCategory, relevant });
  });
  if (problems.length > 0) throw new CodeDatasetError(problems);
  return {
    id,
    name: raw.name as string,
    language: raw.language as string,
    source: source as CodeSource,
    heldOut: raw.heldOut as boolean,
    description: raw.description as string,
    queries,
  };
}

/**
 * Checks one repository against its fetched corpus: every path exists (`lineCount` returns undefined for
 * a missing file), every span lies within its file, enough questions, no question asked twice. Returns
 * the problems (none: the file is good).
 */
export function checkCodeRepo(repo: CodeRepo, lineCount: (path: string) => number | undefined, file = `${repo.id}.json`): string[] {
  const problems: string[] = [];
  if (repo.queries.length < MIN_QUERIES_PER_REPO) problems.push(`${file}: ${repo.queries.length} questions, at least ${MIN_QUERIES_PER_REPO} are needed`);
  const seen = new Map<string, number>();
  repo.queries.forEach((q, i) => {
    const key = q.query.trim().toLowerCase().replace(/\s+/g, ' ');
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${file}: queries[${i}] "${q.query}" repeats queries[${first}]`);
    else seen.set(key, i);
    for (const answer of q.relevant) {
      const lines = lineCount(answer.path);
      if (lines === undefined) problems.push(`${file}: queries[${i}] "${q.query}": ${answer.path} is not in the corpus`);
      else if (answer.endLine !== undefined && answer.endLine > lines) problems.push(`${file}: queries[${i}] "${q.query}": ${answer.path}:${answer.startLine}-${answer.endLine} ends past the file's ${lines} lines`);
    }
  });
  return problems;
}

/** Question counts: per language and category, for the validation's summary. */
export function countQuestions(repos: readonly CodeRepo[]): Map<string, Record<CodeCategory | 'total', number>> {
  const counts = new Map<string, Record<CodeCategory | 'total', number>>();
  for (const repo of repos) {
    const row = counts.get(repo.language) ?? { architecture: 0, semantic: 0, symbol: 0, total: 0 };
    for (const q of repo.queries) {
      row[q.category]++;
      row.total++;
    }
    counts.set(repo.language, row);
  }
  return counts;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
