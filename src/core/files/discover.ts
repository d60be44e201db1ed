/**
 * Walks a folder and yields the files worth indexing, lazily, so a huge tree never sits in memory.
 *
 * Rules, as git applies them: `.gitignore` and `.quipuignore` files at any depth, deeper files
 * overriding shallower ones, `!` re-including; a directory that is ignored is not entered. On top:
 * default excludes (VCS folders, dependencies, build output, lock files, binaries) and the caller's.
 *
 * Symbolic links are not followed, whichever way a path arrives (the walk, a changed path, a new
 * folder): a link to a file is not a file of the folder, a link to a folder is not entered, and a
 * path below a link is not looked at. Inside or outside, one rule, so an update never indexes what
 * the next full pass would drop; the read itself refuses a link too (`FileHost.readFile`).
 *
 * Patterns are matched by files/glob.ts, in time bounded whatever a repository writes in them.
 *
 * An ignore file that exists but cannot be read fails closed: the folder it governs is not walked
 * (it may exclude secrets), the run says why, naming the file, and the skip event's `keepUnder` tells
 * the indexer to keep what the index already holds there, since nothing there can be judged.
 */
import type { FileSettings } from '../config/config';
import { compileGlobs, IgnoreRules } from './glob';
import { FolderPaths, joinRel, type FileHost, type FileStat } from './host';
import { extensionOf } from './languages';

export const IGNORE_FILES = ['.gitignore', '.quipuignore'];

export const DEFAULT_EXCLUDES = [
  '.git/', '.hg/', '.svn/', 'node_modules/', 'bower_components/', 'vendor/bundle/', '.venv/', 'venv/',
  '__pycache__/', '.mypy_cache/', '.pytest_cache/', '.tox/', 'dist/', 'build/', 'out/', 'target/',
  '.next/', '.nuxt/', '.turbo/', '.cache/', 'coverage/', '.gradle/', '.idea/', '.vs/',
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'Cargo.lock',
  'poetry.lock', 'Pipfile.lock', 'Gemfile.lock', 'composer.lock', 'go.sum', 'uv.lock',
  '*.min.js', '*.min.css', '*.map', '.DS_Store',
];

/** Extensions that are never text; skipped without reading a byte. */
const BINARY_EXTENSIONS = new Set(
  ('png jpg jpeg gif bmp ico webp tiff psd svgz avif heic mp3 mp4 m4a wav ogg flac avi mov mkv webm ' +
    'zip gz tgz bz2 xz 7z rar tar jar war ear whl egg exe dll so dylib a o obj lib bin class pyc pyo ' +
    'wasm onnx pt pth safetensors ckpt h5 npy npz pkl parquet arrow sqlite db ttf otf woff woff2 eot ' +
    'doc xls xlsx ppt pptx odt ods odp dmg iso img deb rpm msi').split(' '),
);

export interface DiscoveredFile {
  /** Path relative to the folder, with forward slashes. */
  path: string;
  absPath: string;
  size: number;
  mtimeMs: number;
  /** Which file it was (where the host knows): its read refuses any other. */
  dev?: number;
  ino?: number;
}

export type DiscoveryEvent =
  | { kind: 'file'; file: DiscoveredFile }
  | {
      kind: 'skip';
      path: string;
      reason: string;
      /** A folder (relative, '' for the root) that could not be judged: what the index holds under it stays. */
      keepUnder?: string;
    };

interface RuleSet {
  /** Folder the rules were written in, relative to the root ('' for the root). */
  base: string;
  rules: IgnoreRules;
}

/** Nothing there to read: not an ignore file. Any other error (EACCES, EIO…) fails closed. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);

function unreadableIgnoreFile(file: string, folder: string, error: unknown): string {
  return `unreadable ignore file ${file} (${codeOf(error)}): ${folder || 'the folder'} is not indexed until it can be read; what the index holds there is kept`;
}

export async function* discoverFiles(
  root: string,
  host: FileHost,
  settings: FileSettings,
  options: {
    signal?: AbortSignal;
    extraIgnoredDirs?: string[];
    /** Walk only this subfolder (relative). */
    under?: string;
    /** Told of each folder (relative) that the default excludes kept out, and no rule of the user's. */
    onDefaultExclude?: (relDir: string) => void;
  } = {},
): AsyncGenerator<DiscoveryEvent> {
  const defaults = defaultRules(settings);
  // The settings' own excludes share the defaults' rule set: compiled apart only to tell them apart.
  const ownExcludes = options.onDefaultExclude && settings.exclude.length > 0 ? new IgnoreRules(settings.exclude) : undefined;
  const paths = FolderPaths.of(root, host);
  const ignoredDirs = ignoredDirsOf(paths, options.extraIgnoredDirs);

  async function* walk(relDir: string, inherited: RuleSet[]): AsyncGenerator<DiscoveryEvent> {
    options.signal?.throwIfAborted();
    const absDir = paths.abs(relDir);
    let entries;
    try {
      entries = await host.readDir(absDir);
    } catch (error) {
      yield { kind: 'skip', path: relDir || '.', reason: `unreadable folder (${codeOf(error)})` };
      return;
    }
    const ruleSets = [...inherited];
    for (const name of IGNORE_FILES) {
      if (!entries.some((e) => e.name === name && e.isFile)) continue;
      const file = joinRel(relDir, name);
      try {
        ruleSets.push({ base: relDir, rules: new IgnoreRules(new TextDecoder().decode(await host.readFile(paths.abs(file)))) });
      } catch (error) {
        yield { kind: 'skip', path: file, reason: unreadableIgnoreFile(file, relDir, error), keepUnder: relDir };
        return;
      }
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = joinRel(relDir, entry.name);
      const absPath = paths.abs(relPath);
      if (entry.isDirectory) {
        if (ignoredDirs.has(paths.key(relPath))) continue;
        if (isIgnored(relPath + '/', [defaults, ...ruleSets])) {
          if (options.onDefaultExclude && verdictOf(relPath + '/', ruleSets) === undefined && ownExcludes?.verdict(relPath + '/') === undefined) options.onDefaultExclude(relPath);
          continue;
        }
        yield* walk(relPath, ruleSets);
        continue;
      }
      if (!entry.isFile || isIgnored(relPath, [defaults, ...ruleSets])) continue;
      const event = await inspectFile(relPath, absPath, host, settings);
      if (event) yield event;
    }
  }

  if (!options.under) {
    yield* walk('', []);
    return;
  }
  // A subfolder: only one reached through real folders (it may have become a link since it was seen).
  if (!(await linkFreeFolders(paths, host)(options.under))) return;
  // The ignore files of the folders above it apply as well.
  const inherited: RuleSet[] = [];
  const parts = options.under.split('/');
  for (let i = 0; i < parts.length; i++) {
    const relDir = parts.slice(0, i).join('/');
    for (const name of IGNORE_FILES) {
      const file = joinRel(relDir, name);
      try {
        inherited.push({ base: relDir, rules: new IgnoreRules(new TextDecoder().decode(await host.readFile(paths.abs(file)))) });
      } catch (error) {
        if (ABSENT.has(codeOf(error))) continue;
        yield { kind: 'skip', path: file, reason: unreadableIgnoreFile(file, relDir, error), keepUnder: options.under };
        return;
      }
    }
  }
  yield* walk(options.under, inherited);
}

/** A path that is gone, or that the rules now exclude: whatever the index holds for it goes. */
export type PathEvent = DiscoveryEvent | { kind: 'gone'; path: string } | { kind: 'folder'; path: string };

/**
 * The same rules as `discoverFiles`, for a few given paths (files that the editor saw change),
 * without walking the folder: the ignore files on each path's way down are read once each.
 * A path that is a folder is reported as such (the caller walks it or the whole tree).
 */
export async function* discoverPaths(
  root: string,
  host: FileHost,
  settings: FileSettings,
  relPaths: Iterable<string>,
  options: { signal?: AbortSignal; extraIgnoredDirs?: string[] } = {},
): AsyncGenerator<PathEvent> {
  const defaults = defaultRules(settings);
  const paths = FolderPaths.of(root, host);
  const ignoredDirs = [...ignoredDirsOf(paths, options.extraIgnoredDirs)];
  const linkFree = linkFreeFolders(paths, host);
  /** The rule sets that apply in a folder, or the first ignore file on the way down that cannot be read. */
  type FolderRules = { sets: RuleSet[] } | { unreadable: string };
  const rulesOfDir = new Map<string, Promise<FolderRules>>();
  const rulesFor = (relDir: string): Promise<FolderRules> => {
    let rules = rulesOfDir.get(relDir);
    if (!rules) {
      rules = (async () => {
        const parent = relDir ? await rulesFor(relDir.includes('/') ? relDir.slice(0, relDir.lastIndexOf('/')) : '') : { sets: [] };
        if ('unreadable' in parent) return parent;
        const own: RuleSet[] = [];
        for (const name of IGNORE_FILES) {
          const file = joinRel(relDir, name);
          try {
            own.push({ base: relDir, rules: new IgnoreRules(new TextDecoder().decode(await host.readFile(paths.abs(file)))) });
          } catch (error) {
            if (!ABSENT.has(codeOf(error))) return { unreadable: unreadableIgnoreFile(file, relDir, error) };
          }
        }
        return { sets: [...parent.sets, ...own] };
      })();
      rulesOfDir.set(relDir, rules);
    }
    return rules;
  };
  /**
   * Ignored itself, or inside an ignored folder (git never looks inside those): true; not: false;
   * a reason when an ignore file on the way cannot be read.
   */
  const excluded = async (relPath: string, isDir: boolean): Promise<boolean | string> => {
    const parts = relPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const rules = await rulesFor(parts.slice(0, i - 1).join('/'));
      if ('unreadable' in rules) return rules.unreadable;
      const asDir = i < parts.length || isDir;
      if (isIgnored(asDir ? prefix + '/' : prefix, [defaults, ...rules.sets])) return true;
    }
    return false;
  };

  for (const relPath of new Set(relPaths)) {
    options.signal?.throwIfAborted();
    let absPath;
    try {
      absPath = paths.abs(relPath);
    } catch (error) {
      yield { kind: 'skip', path: relPath, reason: (error as Error).message };
      continue;
    }
    const key = paths.key(relPath);
    if (ignoredDirs.some((dir) => key === dir || key.startsWith(dir + '/'))) continue;
    // The folder itself, as named (it may be a link the user chose): walked with the rules.
    if (relPath === '' || relPath === '.') {
      yield { kind: 'folder', path: '' };
      continue;
    }
    // Below a symbolic link (or a folder gone since): nothing there is a file of the folder.
    const parent = relPath.includes('/') ? relPath.slice(0, relPath.lastIndexOf('/')) : '';
    let stat;
    try {
      if (!(await linkFree(parent))) throw new Error('below a symbolic link');
      stat = await host.lstat(absPath);
    } catch {
      yield { kind: 'gone', path: relPath };
      continue;
    }
    const verdict = await excluded(relPath, stat.isDirectory);
    if (typeof verdict === 'string') {
      yield { kind: 'skip', path: relPath, reason: verdict, keepUnder: relPath };
      continue;
    }
    if (stat.isDirectory) {
      yield verdict ? { kind: 'gone', path: relPath } : { kind: 'folder', path: relPath };
      continue;
    }
    // A symbolic link (wherever it leads), a FIFO, a device: not a file of the folder, as in the walk.
    if (!stat.isFile || verdict) {
      yield { kind: 'gone', path: relPath };
      continue;
    }
    const event = await inspectFile(relPath, absPath, host, settings, stat);
    yield event ?? { kind: 'gone', path: relPath };
  }
}

/**
 * The checks every candidate file passes: type, settings, size. Undefined when it is not for us
 * (a link or a special file, even one that replaced the file since its folder was listed).
 */
async function inspectFile(relPath: string, absPath: string, host: FileHost, settings: FileSettings, known?: FileStat): Promise<DiscoveryEvent | undefined> {
  if (!includedBy(settings)(relPath)) return undefined;
  const ext = extensionOf(relPath);
  if (BINARY_EXTENSIONS.has(ext)) return undefined;
  if ((ext === 'pdf' && !settings.pdf) || (ext === 'docx' && !settings.docx)) return undefined;
  let stat = known;
  try {
    stat ??= await host.lstat(absPath);
  } catch (error) {
    return { kind: 'skip', path: relPath, reason: `unreadable (${codeOf(error)})` };
  }
  if (!stat.isFile) return undefined;
  const limit = ext === 'pdf' || ext === 'docx' ? settings.maxDocumentBytes : settings.maxFileBytes;
  if (stat.size > limit) {
    return { kind: 'skip', path: relPath, reason: `larger than ${formatBytes(limit)} (${formatBytes(stat.size)})` };
  }
  return { kind: 'file', file: { path: relPath, absPath, size: stat.size, mtimeMs: stat.mtimeMs, dev: stat.dev, ino: stat.ino } };
}

/**
 * Whether a folder (relative; '' is the root, taken as named) is reached through real folders only,
 * no symbolic link on the way: the walk never enters a link, so a changed path must not either. One
 * lstat per folder, remembered for the call.
 */
function linkFreeFolders(paths: FolderPaths, host: FileHost): (relDir: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  const check = (relDir: string): Promise<boolean> => {
    if (relDir === '' || relDir === '.') return Promise.resolve(true);
    let answer = known.get(relDir);
    if (!answer) {
      const parent = relDir.includes('/') ? relDir.slice(0, relDir.lastIndexOf('/')) : '';
      answer = check(parent).then((ok) => ok && host.lstat(paths.abs(relDir)).then((s) => s.isDirectory && !s.isSymbolicLink, () => false));
      known.set(relDir, answer);
    }
    return answer;
  };
  return check;
}

const includeMatchers = new WeakMap<FileSettings, (path: string) => boolean>();

function includedBy(settings: FileSettings): (path: string) => boolean {
  let matcher = includeMatchers.get(settings);
  if (!matcher) {
    const include = settings.include?.filter(Boolean) ?? [];
    matcher = include.length > 0 ? compileGlobs(include, 'include pattern') : () => true;
    includeMatchers.set(settings, matcher);
  }
  return matcher;
}

/** The default excludes and the settings' (gitignore syntax): compiled per walk (its folder verdicts are the walk's). */
function defaultRules(settings: FileSettings): RuleSet {
  return { base: '', rules: new IgnoreRules([...DEFAULT_EXCLUDES, ...settings.exclude]) };
}

/** The last rule set with an opinion wins: deeper ignore files override shallower ones. */
function isIgnored(relPath: string, ruleSets: RuleSet[]): boolean {
  return verdictOf(relPath, ruleSets) === true;
}

/** The verdict of the last rule set with an opinion; undefined when none has one. */
function verdictOf(relPath: string, ruleSets: RuleSet[]): boolean | undefined {
  let ignored: boolean | undefined;
  for (const { base, rules } of ruleSets) {
    if (base && !relPath.startsWith(base + '/')) continue;
    const verdict = rules.verdict(base ? relPath.slice(base.length + 1) : relPath);
    if (verdict !== undefined) ignored = verdict;
  }
  return ignored;
}

/** Absolute folders never to enter (the index, when it lives inside), as keys of folder-relative paths. */
function ignoredDirsOf(paths: FolderPaths, absDirs: string[] = []): Set<string> {
  const keys = new Set<string>();
  for (const dir of absDirs) {
    const rel = paths.rel(dir);
    if (rel) keys.add(paths.key(rel));
  }
  return keys;
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message ?? String(error);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
