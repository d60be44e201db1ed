import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..');
// The project's own eslint.config.mjs, with type information off: the layer rules need none, and a
// snippet at a path no tsconfig lists (src/core/store/x.ts) could not be type-checked anyway.
const eslint = new ESLint({ cwd: ROOT, overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }] });

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint enforces the layers (eslint.config.mjs)', { timeout: 120_000 }, () => {
  test('a layer importing one above it fails, naming the layer', async () => {
    const found = await problems('src/core/store/x.ts', "import { QuipuEngine } from '../engine/engine';\nexport const engine = QuipuEngine;\n");
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0], /^import\/no-restricted-paths: .*src\/core\/store is in layer 3 of 7/);
  });

  test('a type-only import upward fails too', async () => {
    const found = await problems('src/core/config/x.ts', "import type { Embedder } from '../embed/embedder';\nexport type E = Embedder;\n");
    assert.match(found.join('\n'), /import\/no-restricted-paths/);
  });

  test('core importing a worker entry point, or a front end, fails', async () => {
    assert.match((await problems('src/core/pool/x.ts', "import type { ChunkResult } from '../../workers/chunk-worker';\nexport type R = ChunkResult;\n")).join('\n'), /import\/no-restricted-paths/);
    assert.match((await problems('src/core/team/x.ts', "import { runMcpServer } from '../../mcp/server';\nexport const run = runMcpServer;\n")).join('\n'), /import\/no-restricted-paths/);
  });

  test('front ends meet only in src/shared or src/core', async () => {
    assert.match((await problems('src/webview/x.ts', "import type { PanelHost } from '../extension/panel/host';\nexport type H = PanelHost;\n")).join('\n'), /import\/no-restricted-paths: .*only through src\/shared or src\/core/);
    assert.match((await problems('src/extension/x.ts', "import { formatScore } from '../webview/format';\nexport const f = formatScore;\n")).join('\n'), /import\/no-restricted-paths/);
    assert.deepEqual(await problems('src/webview/x.ts', "import type { IndexState } from '../shared/panel-protocol';\nimport { hybridScoreMeaning } from '../core/search/rank';\nexport type S = IndexState;\nexport const m = hybridScoreMeaning;\n"), []);
  });

  test("the MCP server keeps folders with core's keeper, not the extension's", async () => {
    assert.deepEqual(await problems('src/mcp/x.ts', "import { FolderKeeper } from '../core/keeper/folder-keeper';\nexport const k = FolderKeeper;\n"), []);
    assert.match((await problems('src/mcp/x.ts', "import { WorkspaceIndexing } from '../extension/indexing';\nexport const i = WorkspaceIndexing;\n")).join('\n'), /import\/no-restricted-paths/);
    assert.match((await problems('src/mcp/x.ts', "import { QuipuController } from '../extension/controller';\nexport const c = QuipuController;\n")).join('\n'), /import\/no-restricted-paths/);
  });

  test('src/shared imports nothing of ours but itself, no Node module and no vscode', async () => {
    assert.match((await problems('src/shared/x.ts', "import { parseGlobs } from '../webview/format';\nexport const p = parseGlobs;\n")).join('\n'), /import\/no-restricted-paths: .*src\/shared is below every layer/);
    assert.match((await problems('src/shared/x.ts', "import { join } from 'node:path';\nexport const j = join;\n")).join('\n'), /import\/no-nodejs-modules/);
    assert.match((await problems('src/webview/x.ts', "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n")).join('\n'), /import\/no-nodejs-modules/);
    assert.match((await problems('src/shared/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).join('\n'), /no-restricted-imports: .*Only src\/extension depends on VS Code/);
  });

  test('vscode stays out of core (the folder keeper and its scheduler included)', async () => {
    assert.match((await problems('src/core/engine/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).join('\n'), /no-restricted-imports/);
    assert.match((await problems('src/core/keeper/scheduler.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n")).join('\n'), /no-restricted-imports/);
    assert.deepEqual(await problems('src/extension/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), []);
  });

  test('an import cycle fails (search.ts imports rank.ts: rank.ts importing search.ts back closes one)', async () => {
    const found = await problems('src/core/search/rank.ts', "import { searchStores } from './search';\nexport const s = searchStores;\n");
    assert.deepEqual(found, ['import/no-cycle: Dependency cycle detected.']);
  });

  test('an import down the layers passes', async () => {
    assert.deepEqual(await problems('src/core/store/x.ts', "import { FolderPaths } from '../files/host';\nimport { bestRows } from './top';\nimport { DEFAULT_PIPELINE_SETTINGS } from '../config/config';\nexport const all = [FolderPaths, bestRows, DEFAULT_PIPELINE_SETTINGS];\n"), []);
  });

  test("every folder of src/core is in a layer, and core's root holds at most two files", async () => {
    const config = (await eslint.calculateConfigForFile(join(ROOT, 'src/core/engine/engine.ts'))) as Linter.Config;
    const [, options] = config.rules?.['import/no-restricted-paths'] as [unknown, { zones: { target: string }[] }];
    const targets = new Set(options.zones.map((zone) => zone.target));
    const core = join(ROOT, 'src', 'core');
    const entries = readdirSync(core);
    const unplaced = entries.filter((name) => statSync(join(core, name)).isDirectory() && !targets.has(`./src/core/${name}`));
    assert.deepEqual(unplaced, [], 'add each new folder to CORE_LAYERS in eslint.config.mjs');
    const files = entries.filter((name) => statSync(join(core, name)).isFile());
    assert.ok(files.length <= 2, `src/core holds ${files.join(', ')}`);
  });
});

// import/no-cycle leaves out type-only imports (they cannot cycle at run time); a cycle of types
// still ties two modules into one, so the whole graph of src is checked here with them.
test('no import cycle in src, type-only imports included', () => {
  const graph = importGraph(join(ROOT, 'src'));
  const cycles = stronglyConnected(graph)
    .filter((component) => component.length > 1)
    .map((component) => component.map((file) => relative(ROOT, file).split('\\').join('/')).sort().join(' ⇄ '));
  assert.deepEqual(cycles, []);
});

/** Every .ts file under `dir` and the files of src its imports, exports and `import()`s name. */
function importGraph(dir: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) files.push(path);
    }
  };
  walk(dir);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => [`${spec}.ts`, join(spec, 'index.ts'), spec].map((candidate) => resolve(dirname(file), candidate)).find((path) => existsSync(path) && statSync(path).isFile()))
      .filter((path): path is string => path !== undefined && path.endsWith('.ts'));
    graph.set(file, targets);
  }
  return graph;
}

/** Tarjan's strongly connected components: a component of two or more files is a cycle. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}
