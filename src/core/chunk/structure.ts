/**
 * The shape of a file, for chunking along it: declarations (functions, classes, methods, types)
 * from a real parser (tree-sitter grammars compiled to WebAssembly, `@vscode/tree-sitter-wasm`),
 * and sections of Markdown by heading. Each unit knows its line range, its name and the units
 * nested in it, so a class too large for one chunk can be cut at its methods.
 *
 * Runs in the chunk worker (parsing is CPU work). Unknown languages have no structure: the chunker
 * falls back to line windows.
 */
import { join } from 'node:path';
import { unitsUnder, type StructureUnit, type SyntaxNode } from './declarations';

export type { StructureUnit } from './declarations';

/** Grammar file per language id (see files/languages.ts). */
const GRAMMARS: Record<string, string> = {
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
  python: 'python',
  go: 'go',
  rust: 'rust',
  java: 'java',
  csharp: 'c-sharp',
  cpp: 'cpp',
  c: 'cpp',
  php: 'php',
  ruby: 'ruby',
  shellscript: 'bash',
};

interface TreeSitterModule {
  Parser: {
    init(options: { locateFile: (file: string) => string }): Promise<void>;
    new (): { setLanguage(language: unknown): unknown; parse(text: string): { rootNode: SyntaxNode; delete(): void } | null; delete(): void };
  };
  Language: { load(path: string): Promise<unknown> };
}

let runtime: Promise<{ module: TreeSitterModule; dir: string }> | undefined;
const languages = new Map<string, Promise<unknown>>();

async function loadRuntime(): Promise<{ module: TreeSitterModule; dir: string }> {
  runtime ??= (async () => {
    const dir = join(require.resolve('@vscode/tree-sitter-wasm/package.json'), '..', 'wasm');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require('@vscode/tree-sitter-wasm') as TreeSitterModule;
    await module.Parser.init({ locateFile: (file) => join(dir, file) });
    return { module, dir };
  })();
  return runtime;
}

export function hasGrammar(language: string): boolean {
  return language in GRAMMARS;
}

/**
 * Statements that only wire a file to others: imports, includes, `use`, package clauses. They tell
 * the model which names a file borrows, not what its code does, and in a small file they outweigh
 * the code (bench/QUALITY-EXPERIMENTS.md §5).
 */
const WIRING = new Set([
  'import_statement', 'import_from_statement', 'future_import_statement', // JS/TS, Python
  'import_declaration', 'package_clause', 'package_declaration', // Go, Java
  'use_declaration', 'extern_crate_declaration', // Rust
  'using_directive', 'preproc_include', 'namespace_use_declaration', // C#, C/C++, PHP
]);
/** `const x = require('x')`, `require_once 'x.php'`, Ruby's `require 'json'`. */
const REQUIRE_LINE = /^(?:(?:const|let|var)\s+[^=]+=\s*require\(\s*['"][^'"]+['"]\s*\)[\w.]*|require(?:_once|_relative)?\s*\(?\s*['"][^'"]+['"]\s*\)?)\s*;?$/;

export interface CodeOutline {
  /** Declarations, outermost first. */
  units: StructureUnit[];
  /** 1-based lines of top-level wiring statements (imports, includes, bare re-exports), ascending. */
  wiringLines: number[];
}

/** Declarations of a source file, outermost first; undefined when the language has no grammar. */
export async function codeStructure(text: string, language: string): Promise<StructureUnit[] | undefined> {
  return (await codeOutline(text, language))?.units;
}

/** Declarations and wiring lines of a source file, from one parse; undefined when the language has no grammar. */
export async function codeOutline(text: string, language: string): Promise<CodeOutline | undefined> {
  const grammar = GRAMMARS[language];
  if (!grammar) return undefined;
  const { module, dir } = await loadRuntime();
  let loaded = languages.get(grammar);
  if (!loaded) {
    loaded = module.Language.load(join(dir, `tree-sitter-${grammar}.wasm`));
    languages.set(grammar, loaded);
  }
  const parser = new module.Parser();
  try {
    parser.setLanguage(await loaded);
    const tree = parser.parse(text);
    if (!tree) return undefined;
    try {
      return { units: unitsUnder(tree.rootNode, '', grammar), wiringLines: wiringLinesOf(tree.rootNode) };
    } finally {
      tree.delete();
    }
  } finally {
    parser.delete();
  }
}

function wiringLinesOf(root: SyntaxNode): number[] {
  const lines: number[] = [];
  for (const node of root.namedChildren) {
    if (!node || !isWiring(node)) continue;
    // A node that ends at column 0 (a C include takes its newline) ends on the line before.
    const endRow = node.endPosition.column === 0 && node.endPosition.row > node.startPosition.row ? node.endPosition.row - 1 : node.endPosition.row;
    for (let row = node.startPosition.row; row <= endRow; row++) lines.push(row + 1);
  }
  return lines;
}

function isWiring(node: SyntaxNode): boolean {
  if (WIRING.has(node.type)) return true;
  if (node.type === 'export_statement') {
    // `export * from`, `export { a } from`, `export { a }`, `export default name;`, but not an
    // exported declaration, function, class or object.
    if (node.childForFieldName('declaration')) return false;
    const value = node.childForFieldName('value');
    return !value || value.type === 'identifier';
  }
  if (/^(lexical_declaration|variable_declaration|expression_statement|call)$/.test(node.type)) return REQUIRE_LINE.test(node.text.trim());
  return false;
}

/** Markdown sections by heading; a section's children are its subsections. */
export function markdownStructure(text: string): StructureUnit[] {
  const lines = text.split('\n');
  const roots: StructureUnit[] = [];
  const open: { level: number; unit: StructureUnit }[] = [];
  let fence: string | undefined;
  lines.forEach((line, index) => {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fenceMatch) fence = fence === fenceMatch[1] ? undefined : (fence ?? fenceMatch[1]);
    if (fence) return;
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) return;
    const level = heading[1].length;
    while (open.length > 0 && open[open.length - 1].level >= level) {
      open.pop()!.unit.endLine = index; // the line before this heading
    }
    const parent = open[open.length - 1]?.unit;
    const unit: StructureUnit = { startLine: index + 1, endLine: lines.length, name: parent ? `${parent.name} > ${heading[2]}` : heading[2], children: [] };
    (parent ? parent.children : roots).push(unit);
    open.push({ level, unit });
  });
  for (const { unit } of open) unit.endLine = lines.length;
  return roots;
}
