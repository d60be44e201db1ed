/**
 * The one message protocol between the search panel's webview (src/webview) and the extension.
 * Both sides import these types; nothing else crosses the boundary. Plain data only (no vscode
 * types), so the webview bundle can import this file.
 */
import type { SearchIntent } from './search-intent';

/** One hit, in one file. Lines are 1-based and inclusive. */
export interface PanelResult {
  startLine: number;
  endLine: number;
  /** PDF page, when the file has pages. */
  page?: number;
  score: number;
  /** Raw text of the chunk's lines that matched the query (else its first lines): the webview escapes it before display. */
  snippet: string;
  /** The file line of the snippet's first line. */
  snippetStartLine: number;
  /** Enclosing symbol (function, class, heading), when known. */
  symbol?: string;
}

/** The results of one file, best first. */
export interface PanelFileGroup {
  /** Workspace folder name (shown when the workspace has several folders). */
  folderName: string;
  /** Absolute URI of the file, as a string: what the extension opens. */
  uri: string;
  /** Path relative to its workspace folder, forward slashes. */
  path: string;
  /** "pdf" and "docx" open as extracted text. */
  kind: 'text' | 'pdf' | 'docx';
  results: PanelResult[];
}

export type IndexPhase =
  | 'no-folder' // nothing open: nothing to index
  | 'untrusted' // Restricted Mode: Quipu waits until the workspace is trusted
  | 'not-indexed' // never indexed, auto-index off
  | 'indexing'
  | 'paused'
  | 'ready'
  | 'error';

export interface IndexState {
  phase: IndexPhase;
  /** Files and chunks in the index (all folders). */
  files: number;
  chunks: number;
  /** While indexing: how far the current run is. */
  progress?: {
    filesDone: number;
    /** Known once discovery finished; until then undefined. */
    filesTotal?: number;
    chunksPerSecond: number;
    etaSeconds?: number;
    currentFile?: string;
  };
  /** A sentence for the user: what went wrong, or why the index is not there. */
  message?: string;
  /** Where embeddings are computed when not on this machine: the endpoint and model. */
  remoteEmbedder?: string;
  /** Set when searches use a team index (setting `quipu.teamIndex.*`). */
  team?: TeamIndexState;
  /** How far each search tier has come (all folders), once an index status was read. */
  tiers?: TierState;
}

/**
 * The index's two tiers: `fast` (words and static vectors, searchable at once) and `deep` (the
 * transformer's vectors, computed behind them in the background; searching works throughout).
 */
export interface TierState {
  /** The tiers indexes are built in (setting `quipu.tiers`; a remote embedder is `deep` alone). */
  plan: 'fast' | 'fast-deep' | 'deep';
  /** Chunks whose vector is of each tier. */
  fast: number;
  deep: number;
  /** Share of the chunks with deep vectors, 0-100, rounded down (100 when there are none). */
  deepPercent: number;
  /** The plan has a deep tier and some chunks still have fast vectors only. */
  deepIncomplete: boolean;
  /** The deep tier is computed now (in the background), or waits behind other work. */
  deepRunning: boolean;
  deepPending: boolean;
  /** While it runs: the files of the deep pass done, of the total once known. */
  deepProgress?: { filesDone: number; filesTotal?: number; chunksPerSecond: number; etaSeconds?: number };
  /** Why fewer tiers run than were asked for (a remote embedder, a missing static model). */
  note?: string;
}

/** The team index searches use: which one, how fresh, and whether it answers. */
export interface TeamIndexState {
  url: string;
  collection: string;
  /** The commit the base was indexed at, when the publisher named one. */
  commit?: string;
  updatedAt?: string;
  /** Undefined until the server was first asked. */
  available?: boolean;
  /** Why searches show this folder's local changes only. */
  notice?: string;
  /** What the user must fix (another model on the server, a refused token). */
  error?: string;
  /** The workspace folder it serves. */
  folderName: string;
  overlayFiles?: number;
}

/** Commands the panel can ask for (buttons in its empty and error states). */
export type PanelCommand = 'quipu.indexWorkspace' | 'quipu.rebuildIndex' | 'quipu.showStatus' | 'quipu.resumeIndexing' | 'workbench.trust.manage';

export type WebviewToExtension =
  | { type: 'ready' }
  | { type: 'search'; requestId: number; intent: SearchIntent }
  | { type: 'open'; uri: string; kind: PanelFileGroup['kind']; startLine: number; endLine: number; page?: number; preview: boolean }
  | { type: 'command'; command: PanelCommand };

export type ExtensionToWebview =
  | { type: 'state'; state: IndexState }
  | {
      type: 'results';
      requestId: number;
      query: string;
      groups: PanelFileGroup[];
      /** Milliseconds the search took (embedding + store). */
      elapsedMs: number;
      /** The ranking the results come from: what their scores mean. */
      mode?: 'vector' | 'lexical' | 'hybrid';
      /** Set instead of groups when the search failed: a sentence the user can act on. */
      error?: string;
    }
  /** Sets the query box (e.g. "Search with Quipu" on a selection) and runs it. */
  | { type: 'setQuery'; query: string }
  | { type: 'focus' };
