/**
 * Asking before anything leaves the machine (a remote embedding endpoint, a team index's server):
 * once per destination, remembered in `globalState`, asked again only for a new destination.
 */
import * as vscode from 'vscode';

/** True when the user allows `destination` now or did before; the answer is kept under `key`. */
export async function allowedOnce(context: vscode.ExtensionContext, key: string, destination: string, question: string): Promise<boolean> {
  const confirmed = context.globalState.get<string[]>(key, []);
  if (confirmed.includes(destination)) return true;
  const choice = await vscode.window.showWarningMessage(question, { modal: true }, 'Allow');
  if (choice !== 'Allow') return false;
  await context.globalState.update(key, [...confirmed, destination]);
  return true;
}
