/**
 * What the search panel needs from the rest of the extension. The panel (searchView.ts) renders and
 * forwards; the controller (controller.ts) implements this over the engine.
 */
import type * as vscode from 'vscode';
import type { IndexState, PanelCommand, PanelFileGroup, WebviewToExtension } from '../../shared/panel-protocol';
import type { SearchIntent } from '../../shared/search-intent';

export type OpenRequest = Omit<Extract<WebviewToExtension, { type: 'open' }>, 'type'>;

export interface PanelHost {
  readonly state: IndexState;
  readonly onDidChangeState: vscode.Event<IndexState>;
  /** The ranking a search uses when the panel does not choose one (the `quipu.searchMode` setting). */
  readonly searchMode: 'vector' | 'lexical' | 'hybrid';
  /** Results grouped per file, best file first. Throws an Error whose message the user can act on. */
  search(intent: SearchIntent, token: vscode.CancellationToken): Promise<PanelFileGroup[]>;
  /** Opens a result: the file at those lines, or a PDF/DOCX as extracted text. */
  open(request: OpenRequest): Promise<void>;
  runCommand(command: PanelCommand): Promise<void>;
}
