// Type-aware linting. The rules that carry the architecture: promises are never dropped by accident
// (`no-floating-promises`); `vscode` stays out of everything but the extension, and Node's modules out
// of src/shared and the webview; the layers below import nothing above them; and no import cycle.
import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

/**
 * src/core's folders by layer, lowest first. A folder imports its own layer and those below it, never
 * one above; src/shared sits below them all, the worker entry points and the front ends above.
 * (The sketch had embed beside chunk and extract: the local embedder runs on the pools and
 * its record and cache are written with the store's atomic files and lock, so it sits above them.)
 */
const CORE_LAYERS = [
  ['text', 'files', 'config'],
  ['chunk', 'extract'],
  ['store', 'pool'],
  ['embed'],
  ['search', 'pipeline', 'maintenance'],
  ['engine'],
  ['team', 'eval', 'keeper'],
];
const FRONT_ENDS = ['cli', 'mcp', 'extension', 'webview'];
const ENTRY_POINTS = [...FRONT_ENDS, 'workers'];

const core = (folder) => `./src/core/${folder}`;
const src = (folder) => `./src/${folder}`;
const layerZones = CORE_LAYERS.flatMap((layer, i) =>
  layer.map((folder) => ({
    target: core(folder),
    from: [...CORE_LAYERS.slice(i + 1).flat().map(core), ...ENTRY_POINTS.map(src)],
    message: `src/core/${folder} is in layer ${i + 1} of ${CORE_LAYERS.length} (eslint.config.mjs, CORE_LAYERS): it imports only its own layer and those below, never a worker entry point or a front end.`,
  })),
);
const frontEndZones = FRONT_ENDS.map((frontEnd) => ({
  target: src(frontEnd),
  from: FRONT_ENDS.filter((other) => other !== frontEnd && !(frontEnd === 'cli' && other === 'mcp')).map(src),
  message: `The front ends import each other only through src/shared or src/core (\`quipu mcp\` is the CLI starting the MCP server).`,
}));
const zones = [
  ...layerZones,
  { target: src('shared'), from: ['core', ...ENTRY_POINTS].map(src), message: 'src/shared is below every layer: it imports only itself.' },
  { target: src('workers'), from: FRONT_ENDS.map(src), message: 'A worker entry point imports src/core and src/shared only.' },
  ...frontEndZones,
];

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension depends on VS Code.' }] }],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'bench/.corpus/**', 'bench/.eval-corpus/**', 'bench/.cache/**', '.scratch/**', 'media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true } }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: {
      'import/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
    },
    rules: {
      'import/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones }],
      // Type-only imports are left out: they vanish from the build and cannot cycle at run time.
      'import/no-cycle': ['error', { ignoreExternal: true, disableScc: true }],
    },
  },
  {
    files: ['src/core/**', 'src/shared/**', 'src/workers/**', 'src/cli/**', 'src/mcp/**', 'src/webview/**'],
    rules: noVscode,
  },
  { files: ['src/shared/**', 'src/webview/**'], plugins: { import: importPlugin }, rules: { 'import/no-nodejs-modules': 'error' } },
  { files: ['**/*.mjs', 'scripts/**'], ...tseslint.configs.disableTypeChecked },
  // Plain Node scripts: Node's globals.
  { files: ['**/*.mjs'], languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } } },
);
