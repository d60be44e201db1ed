/**
 * The workspace's folders as Quipu keeps them: one index per folder in the extension's workspace
 * storage (the team folder's is its overlay, one per team server and collection), and each index's
 * status as last read.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { IndexStatus, QuipuEngine } from '../core/engine/engine';
import type { KeptFolder } from '../core/keeper/folder-keeper';
import type { QuipuSettings } from './settings';

export interface WorkspaceFolderIndex {
  folder: vscode.WorkspaceFolder;
  /** The folder's URI as a string: its key in the folder keeper. */
  key: string;
  indexDir: string;
  status?: IndexStatus;
}

export class WorkspaceFolders {
  private readonly entries = new Map<string, WorkspaceFolderIndex>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly settings: () => QuipuSettings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Follows `vscode.workspace.workspaceFolders`; returns the keys of folders no longer open. */
  sync(): string[] {
    const current = new Set<string>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const key = folder.uri.toString();
      current.add(key);
      const entry = this.entries.get(key);
      if (!entry) this.entries.set(key, { folder, key, indexDir: this.indexDirOf(folder) });
      // The team folder's own index is its overlay: switching the team index on or off changes it.
      else entry.indexDir = this.indexDirOf(folder);
    }
    const removed = [...this.entries.keys()].filter((key) => !current.has(key));
    for (const key of removed) this.entries.delete(key);
    return removed;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): WorkspaceFolderIndex | undefined {
    return this.entries.get(key);
  }

  of(uri: vscode.Uri): WorkspaceFolderIndex | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    return folder ? this.entries.get(folder.uri.toString()) : undefined;
  }

  /** In the order they were opened in this window. */
  all(): WorkspaceFolderIndex[] {
    return [...this.entries.values()];
  }

  /** In workspace order: a team index serves the first folder. */
  inWorkspaceOrder(): WorkspaceFolderIndex[] {
    return this.all().sort((a, b) => a.folder.index - b.folder.index);
  }

  /** The workspace folder the team index serves: the first one (a team index is one repository). */
  teamFolder(): WorkspaceFolderIndex | undefined {
    if (!this.settings().teamIndex) return undefined;
    const first = vscode.workspace.workspaceFolders?.[0];
    return first ? this.entries.get(first.uri.toString()) : undefined;
  }

  /** What the folder keeper keeps. */
  kept(): KeptFolder[] {
    return this.all().map((entry) => ({ key: entry.key, root: entry.folder.uri.fsPath, name: entry.folder.name, indexDir: entry.indexDir }));
  }

  /** Reads each index's status again; `diskUsage` walks each index folder (only the status report needs it). */
  async refreshStatuses(engine: () => Promise<QuipuEngine>, diskUsage = false): Promise<void> {
    for (const entry of this.entries.values()) await this.refreshStatus(entry, engine, diskUsage);
  }

  /** An engine that cannot start is said in the log; the status stays as it was. */
  async refreshStatus(entry: WorkspaceFolderIndex, engine: () => Promise<QuipuEngine>, diskUsage = false): Promise<void> {
    try {
      entry.status = await (await engine()).status(entry.indexDir, { diskUsage });
    } catch (error) {
      this.log.warn(`${entry.folder.name}: could not read the index status: ${(error as Error).message}`);
    }
  }

  private indexDirOf(folder: vscode.WorkspaceFolder): string {
    const base = this.context.storageUri ?? this.context.globalStorageUri;
    const hash = createHash('sha256').update(folder.uri.toString()).digest('hex').slice(0, 12);
    const name = folder.name.replace(/[^\w.-]+/g, '_').slice(0, 40) || 'folder';
    const target = this.settings().teamIndex;
    // The team folder's overlay: one per server and collection, beside its own index.
    const team = target && folder.uri.toString() === vscode.workspace.workspaceFolders?.[0]?.uri.toString() ? `-team-${createHash('sha256').update(`${target.url}\n${target.collection}`).digest('hex').slice(0, 8)}` : '';
    return vscode.Uri.joinPath(base, 'indexes', `${name}-${hash}${team}`).fsPath;
  }
}
