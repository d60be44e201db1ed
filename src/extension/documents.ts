/**
 * Opening a result where it is. Text files open at the hit's lines. PDF and DOCX files would show as
 * raw bytes, so they open as their extracted text instead: a read-only virtual document
 * (`quipu-doc:` scheme) with exactly the lines the indexer chunked, titled after the original, with
 * an editor action that opens the original in the system's viewer.
 */
import * as vscode from 'vscode';
import { documentKindOf } from '../core/extract/kinds';

export const DOCUMENT_SCHEME = 'quipu-doc';

export interface Location {
  uri: vscode.Uri;
  startLine: number;
  endLine: number;
  page?: number;
}

/** Extracts a document's text off the extension host thread (the engine's extract worker). */
export type DocumentExtractor = (uri: vscode.Uri, bytes: Uint8Array) => Promise<string>;

export class ExtractedTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly extract: DocumentExtractor) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const original = originalOf(uri);
    const bytes = await vscode.workspace.fs.readFile(original);
    if (token.isCancellationRequested) return '';
    try {
      return await this.extract(original, bytes);
    } catch (error) {
      return `Quipu could not read the text of ${original.fsPath}:\n${(error as Error).message}`;
    }
  }

  /** Tells an open text view of `original` to refresh (the original changed on disk). */
  refresh(original: vscode.Uri): void {
    this.changed.fire(textUriOf(original));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The virtual document for a PDF/DOCX: same path (so the tab shows the original's name), original in the query. */
export function textUriOf(original: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: original.path, query: original.toString() });
}

export function originalOf(textUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.parse(textUri.query);
}

export function isExtractedDocument(uri: vscode.Uri): boolean {
  return documentKindOf(uri.path) !== undefined;
}

/** Opens the file (or its extracted text) and selects the hit's lines, centred. */
export async function openLocation(location: Location, options: { preview: boolean; preserveFocus?: boolean }): Promise<vscode.TextEditor> {
  const target = isExtractedDocument(location.uri) ? textUriOf(location.uri) : location.uri;
  const document = await vscode.workspace.openTextDocument(target);
  const last = Math.min(Math.max(location.endLine, location.startLine), document.lineCount) - 1;
  const first = Math.min(location.startLine - 1, last);
  const selection = new vscode.Range(first, 0, last, document.lineAt(last).text.length);
  const editor = await vscode.window.showTextDocument(document, {
    preview: options.preview,
    preserveFocus: options.preserveFocus ?? false,
    selection,
  });
  editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** "Open Original": the PDF/DOCX behind the active extracted-text editor, in the system's viewer. */
export async function openOriginal(uri?: vscode.Uri): Promise<void> {
  const textUri = uri ?? vscode.window.activeTextEditor?.document.uri;
  if (!textUri || textUri.scheme !== DOCUMENT_SCHEME) return;
  const opened = await vscode.env.openExternal(originalOf(textUri));
  if (!opened) void vscode.window.showWarningMessage(`Could not open ${originalOf(textUri).fsPath} with the system's viewer.`);
}
