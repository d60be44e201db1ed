/**
 * The fixture workspace and the VS Code user settings shared by the real-editor tests (the
 * code-server runner and @vscode/test-electron's runTest). Every run gets fresh copies: the tests
 * edit and delete files.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');

/** Files of the fixture workspace, relative to its root: five text files, one PDF, one DOCX. */
export const WORKSPACE_FILES = [
  'docs/deploy.md',
  'docs/solar-guide.pdf',
  'docs/beekeeping.docx',
  'notes/pasta.txt',
  'src/auth/password.ts',
  'src/net/retry.ts',
  'src/util/dates.py',
] as const;

/** A fresh copy of test/fixtures/corpus plus a PDF and a DOCX from test/fixtures/docs. */
export function makeWorkspace(parent: string, name = 'workspace'): string {
  const dir = join(parent, name);
  cpSync(join(FIXTURES, 'corpus'), dir, { recursive: true });
  mkdirSync(join(dir, 'docs'), { recursive: true });
  for (const file of ['solar-guide.pdf', 'beekeeping.docx']) cpSync(join(FIXTURES, 'docs', file), join(dir, 'docs', file));
  return dir;
}

/** The second folder of the two-folder window: one note, the best answer to its query (4-folders). */
export const SECOND_FOLDER_FILE = 'animals/hens.md';

/**
 * A multi-root workspace: a fresh fixture workspace first, then a second folder holding only
 * SECOND_FOLDER_FILE. Returns the `.code-workspace` file.
 */
export function makeTwoFolderWorkspace(parent: string): string {
  const first = makeWorkspace(parent, 'folders-first');
  const second = join(parent, 'farm');
  mkdirSync(join(second, 'animals'), { recursive: true });
  writeFileSync(
    join(second, ...SECOND_FOLDER_FILE.split('/')),
    [
      '# Keeping hens through the winter',
      '',
      'Laying hens slow down when the days get short: a hen lays an egg roughly every 26 hours, and only',
      'with about fourteen hours of light. Add a lamp on a timer in the coop, keep the water from freezing',
      'and give layer pellets with extra calcium (oyster shell) so the eggshells stay strong.',
      '',
    ].join('\n'),
  );
  const file = join(parent, 'two-folders.code-workspace');
  writeFileSync(file, JSON.stringify({ folders: [{ path: first }, { path: second, name: 'farm' }] }, null, 2));
  return file;
}

/**
 * User settings for a quiet, deterministic editor: no trust dialog, no welcome page, no telemetry or
 * update checks, no suggestions that would swallow typed Enter keys. `quipu.autoIndex` is off so each
 * test decides when indexing runs.
 */
export const USER_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.wordBasedSuggestions': 'off',
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'quipu.autoIndex': false,
};

/** A user-data folder holding `User/settings.json`. */
export function makeUserDataDir(parent: string, settings: Record<string, unknown> = USER_SETTINGS): string {
  const dir = join(parent, 'user-data');
  mkdirSync(join(dir, 'User'), { recursive: true });
  writeFileSync(join(dir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  return dir;
}

export function makeTempRoot(prefix = 'quipu-e2e-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Resolves once `path` exists (a result the extension host writes: the runner cannot see its exit
 * code), plus a moment for the writer to finish; throws after `timeoutMs`.
 */
export async function waitForFile(path: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${what} wrote no result within ${timeoutMs / 60_000} min (${path})`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
}
