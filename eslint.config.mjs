// Type-aware linting. Two rules carry the architecture: promises are never dropped by accident
// (`no-floating-promises`), and `vscode` stays out of the engine, the workers and the CLI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/workers and src/cli must not depend on VS Code.' }] }],
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
  { files: ['src/core/**', 'src/workers/**', 'src/cli/**'], rules: noVscode },
  { files: ['**/*.mjs', 'scripts/**'], ...tseslint.configs.disableTypeChecked },
  // Plain Node scripts: Node's globals.
  { files: ['**/*.mjs'], languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } } },
);
