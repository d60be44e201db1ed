/**
 * Workspace events that change what the index should hold: files created, changed, deleted or
 * renamed (on disk or by the editor) and saves. They go to the controller, which coalesces and
 * debounces them; the watcher itself does no work.
 */
import * as vscode from 'vscode';

export function watchWorkspace(onFiles: (uris: vscode.Uri[]) => void): vscode.Disposable {
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const one = (uri: vscode.Uri) => {
    if (uri.scheme === 'file') onFiles([uri]);
  };
  return vscode.Disposable.from(
    watcher,
    watcher.onDidCreate(one),
    watcher.onDidChange(one),
    watcher.onDidDelete(one),
    // Saves also arrive as change events when the watcher sees the disk; a save is certain, though.
    vscode.workspace.onDidSaveTextDocument((document) => one(document.uri)),
    vscode.workspace.onDidRenameFiles((event) => onFiles(event.files.flatMap((f) => [f.oldUri, f.newUri]))),
    vscode.workspace.onDidDeleteFiles((event) => onFiles([...event.files])),
    vscode.workspace.onDidCreateFiles((event) => onFiles([...event.files])),
  );
}
