/**
 * Quipu as language-model tools for chat and agent mode (`vscode.lm.registerTool`): `quipu_search`
 * (`#quipu` in a prompt) and `quipu_similar`. Served by the extension's own engine and indexes: no
 * second process, no second model. Every workspace folder is searched. The answer is the same
 * compact text form `quipu mcp` gives (core/search/agent-text.ts).
 */
import { isAbsolute, relative } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SNIPPET_LINES, formatResults, scoreMeaning, type LabeledResult } from '../core/search/agent-text';
import type { SearchMode } from '../core/search/search';
import type { QuipuController } from './controller';
import { findSimilar } from './similar';

export interface SearchToolInput {
  query: string;
  top_k?: number;
  mode?: SearchMode;
  include?: string[];
  exclude?: string[];
  types?: string[];
  max_snippet_lines?: number;
}

export interface SimilarToolInput {
  path: string;
  start_line?: number;
  end_line?: number;
  top_k?: number;
  max_snippet_lines?: number;
}

/** How long a search waits for changes already seen to be indexed (as `quipu mcp` does). */
const SETTLE_MS = 2000;
const MAX_TOP_K = 50;

export function registerLanguageModelTools(ctl: QuipuController): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.lm.registerTool<SearchToolInput>('quipu_search', {
      prepareInvocation: (options) => ({ invocationMessage: `Searching the workspace with Quipu for "${options.input.query}"` }),
      invoke: async (options, token) => {
        const input = options.input;
        const query = typeof input.query === 'string' ? input.query.trim() : '';
        if (!query) throw new Error('The query is empty: say what to look for.');
        const topK = clampTopK(input.top_k);
        const mode = input.mode ?? ctl.searchMode;
        await settle(ctl, token);
        const results = await ctl.searchWorkspace(query, { topK, mode, include: input.include, exclude: input.exclude, types: input.types }, token);
        if (token.isCancellationRequested) throw new vscode.CancellationError();
        const many = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
        const labeled: LabeledResult[] = results.map((r) => (many ? { ...r, folderLabel: r.folderName } : r));
        const text = formatResults(`${results.length} result(s) for "${query}" (${mode}; score: ${scoreMeaning(mode, query)}).`, labeled, snippetLines(input.max_snippet_lines));
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text + freshness(ctl))]);
      },
    }),
    vscode.lm.registerTool<SimilarToolInput>('quipu_similar', {
      prepareInvocation: (options) => ({ invocationMessage: `Finding code like ${options.input.path}${options.input.start_line ? `:${options.input.start_line}` : ''} with Quipu` }),
      invoke: async (options, token) => {
        const input = options.input;
        const uri = resolveWorkspacePath(ctl, input.path);
        await settle(ctl, token);
        const found = await findSimilar(ctl, uri, { startLine: input.start_line, endLine: input.end_line ?? input.start_line }, clampTopK(input.top_k));
        if (token.isCancellationRequested) throw new vscode.CancellationError();
        const { source } = found;
        const heading = `${found.results.length} chunk(s) like ${source.path}:${source.startLine}-${source.endLine}${source.symbol ? ` · ${source.symbol}` : ''} (score: ${scoreMeaning('similar')}).`;
        return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(formatResults(heading, found.results, snippetLines(input.max_snippet_lines)) + freshness(ctl))]);
      },
    }),
  );
}

function clampTopK(value: number | undefined): number {
  if (value === undefined) return 10;
  if (!Number.isInteger(value) || value < 1 || value > MAX_TOP_K) throw new Error(`top_k must be a whole number from 1 to ${MAX_TOP_K}.`);
  return value;
}

function snippetLines(value: number | undefined): number {
  return value === undefined ? DEFAULT_SNIPPET_LINES : Math.max(0, Math.min(40, Math.floor(value)));
}

/** Lets the file changes already seen be indexed first, waiting at most SETTLE_MS. */
async function settle(ctl: QuipuController, token: vscode.CancellationToken): Promise<void> {
  const cancelled = new AbortController();
  const subscription = token.onCancellationRequested(() => cancelled.abort());
  if (token.isCancellationRequested) cancelled.abort();
  try {
    await ctl.keeper.settle(SETTLE_MS, cancelled.signal);
  } finally {
    subscription.dispose();
  }
  if (token.isCancellationRequested) throw new vscode.CancellationError();
}

function freshness(ctl: QuipuController): string {
  return ctl.keeper.busy || ctl.keeper.hasPending ? '\nNote: Quipu is still updating the index; results may miss the latest changes.' : '';
}

/** A workspace file (relative to a workspace folder, or absolute inside one); anything else is refused. */
function resolveWorkspacePath(ctl: QuipuController, path: string): vscode.Uri {
  if (typeof path !== 'string' || !path.trim()) throw new Error('The path is empty.');
  const candidates = isAbsolute(path) ? [vscode.Uri.file(path)] : (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, path));
  for (const uri of candidates) {
    const entry = ctl.folderOf(uri);
    if (!entry) continue;
    const relPath = relative(entry.folder.uri.fsPath, uri.fsPath).split('\\').join('/');
    if (relPath && !relPath.startsWith('..')) return uri;
  }
  throw new Error(`${path} is not inside a workspace folder; Quipu only reads the workspace.`);
}
