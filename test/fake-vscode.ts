/**
 * A tiny stand-in for the `vscode` module, enough for glue code that only forwards (the search panel's
 * provider). Importing this file first makes `require('vscode')` return it in this test process.
 * Real-editor behaviour is for test/integration; this covers the logic around it, in Node, fast.
 */
import Module from 'node:module';

export class Uri {
  readonly scheme = 'file';
  private constructor(readonly path: string) {}
  static file(path: string): Uri {
    return new Uri(path);
  }
  static from(parts: { scheme: string; path: string }): Uri {
    return new Uri(parts.path);
  }
  static parse(text: string): Uri {
    return new Uri(text.replace(/^file:\/\//, ''));
  }
  get fsPath(): string {
    return this.path;
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri([base.path, ...parts].join('/'));
  }
  toString(): string {
    return `file://${this.path}`;
  }
}

export class CancellationTokenSource {
  readonly token = { isCancellationRequested: false };
  cancel(): void {
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}

type Listener<T> = (value: T) => unknown;

/** An event as VS Code shapes it: subscribe, get a disposable back. */
export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();
  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };
  fire(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
  get size(): number {
    return this.listeners.size;
  }
}

/** `vscode.EventEmitter`: an Emitter that can be disposed. */
export class EventEmitter<T> extends Emitter<T> {
  dispose(): void {}
}

export const ProgressLocation = { Notification: 15 };

export const calls = { commands: [] as string[], errors: [] as string[], messages: [] as string[], statusBar: [] as string[], progress: [] as string[] };

export const commands = {
  executeCommand: (command: string): Promise<undefined> => {
    calls.commands.push(command);
    return Promise.resolve(undefined);
  },
};

export const StatusBarAlignment = { Left: 1, Right: 2 };

export class ThemeColor {
  constructor(readonly id: string) {}
}

/** A status bar item: what it shows, read by the tests. */
export class FakeStatusBarItem {
  text = '';
  tooltip: string | undefined;
  name: string | undefined;
  command: string | undefined;
  backgroundColor: ThemeColor | undefined;
  visible = false;
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  dispose(): void {}
}

export const window = {
  createStatusBarItem: (): FakeStatusBarItem => new FakeStatusBarItem(),
  showErrorMessage: (message: string): Promise<undefined> => {
    calls.errors.push(message);
    return Promise.resolve(undefined);
  },
  showInformationMessage: (message: string): Promise<undefined> => {
    calls.messages.push(message);
    return Promise.resolve(undefined);
  },
  showWarningMessage: (message: string): Promise<undefined> => {
    calls.messages.push(message);
    return Promise.resolve(undefined);
  },
  setStatusBarMessage: (message: string) => {
    calls.statusBar.push(message);
    return { dispose: () => undefined };
  },
  /** A notification nobody cancels: its title is recorded. */
  withProgress: <R>(options: { title?: string }, task: (progress: { report(value: unknown): void }, token: { isCancellationRequested: boolean; onCancellationRequested(listener: () => void): { dispose(): void } }) => Promise<R>): Promise<R> => {
    calls.progress.push(options.title ?? '');
    return task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) });
  },
};

/** Settings by full key ("quipu.teamIndex.url"), per level, as `WorkspaceConfiguration.inspect` reports them. */
export const configuration = new Map<string, { globalValue?: unknown; workspaceValue?: unknown; workspaceFolderValue?: unknown }>();

export interface FakeWorkspaceFolder {
  uri: Uri;
  name: string;
  index: number;
}

export const workspace = {
  workspaceFolders: undefined as FakeWorkspaceFolder[] | undefined,
  isTrusted: true,
  getWorkspaceFolder: (uri: Uri): FakeWorkspaceFolder | undefined => workspace.workspaceFolders?.find((f) => uri.path === f.uri.path || uri.path.startsWith(`${f.uri.path}/`)),
  getConfiguration: (section: string) => {
    const levels = (key: string) => configuration.get(`${section}.${key}`);
    return {
      // VS Code's merge: the most specific level wins.
      get: <T>(key: string, fallback?: T): T | undefined => {
        const l = levels(key);
        return (l?.workspaceFolderValue ?? l?.workspaceValue ?? l?.globalValue ?? fallback) as T | undefined;
      },
      inspect: <T>(key: string) => ({ key: `${section}.${key}`, ...(levels(key) as { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined) }),
    };
  },
};

const fake = { Uri, CancellationTokenSource, EventEmitter, ProgressLocation, StatusBarAlignment, ThemeColor, commands, window, workspace };

// Resolve "vscode" to this module's exports, for every later require in this process.
const loader = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return request === 'vscode' ? 'vscode' : resolve.call(this, request, ...rest);
};
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake } as unknown as NodeJS.Module;
