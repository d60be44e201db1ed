/** Quipu's language-model tools as chat and agent mode call them, in the real extension host. */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { QuipuApi } from '../../src/extension/api';
import type { WorkspaceSimilar } from '../../src/extension/similar';
import { fileUri, indexWorkspace, quipu } from './helpers';

function textOf(result: vscode.LanguageModelToolResult): string {
  return result.content.map((part) => (part as { value?: unknown }).value).filter((value): value is string => typeof value === 'string').join('');
}

suite('Language-model tools', () => {
  let api: QuipuApi;

  suiteSetup(async () => {
    api = await quipu();
    await indexWorkspace(api);
  });

  test('vscode.lm.tools lists quipu_search (#quipu) and quipu_similar with their input schemas', () => {
    const search = vscode.lm.tools.find((tool) => tool.name === 'quipu_search');
    assert.ok(search, `tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    const schema = search.inputSchema as { required?: string[]; properties?: Record<string, unknown> };
    assert.deepEqual(schema.required, ['query']);
    assert.ok(schema.properties?.top_k && schema.properties.mode);
    assert.match(search.description, /Semantic and keyword search/);
    const similar = vscode.lm.tools.find((tool) => tool.name === 'quipu_similar');
    assert.ok(similar);
    assert.deepEqual((similar.inputSchema as { required?: string[] }).required, ['path']);
  });

  test("invokeTool('quipu_search') answers with the right file first, as text", async () => {
    const result = await vscode.lm.invokeTool('quipu_search', { input: { query: 'keep user credentials safe before saving them' }, toolInvocationToken: undefined });
    const text = textOf(result);
    assert.match(text, /^\d+ result\(s\) for "keep user credentials safe before saving them" \(hybrid; score: fused score/);
    assert.match(text, /\n1\. src\/auth\/password\.ts:\d+-\d+ · \w+ · [01]\.\d{3}\n/, text);
  });

  test("invokeTool('quipu_similar') finds chunks like a function, not the function itself", async () => {
    const result = await vscode.lm.invokeTool('quipu_similar', { input: { path: 'src/net/retry.ts', start_line: 15 }, toolInvocationToken: undefined });
    const text = textOf(result);
    assert.match(text, /^\d+ chunk\(s\) like src\/net\/retry\.ts:\d+-\d+ · withRetry \(score: cosine/);
    assert.doesNotMatch(text, /\n\d+\. src\/net\/retry\.ts:\d+-\d+ · withRetry ·/);
  });

  test('bad input is an error with a reason; a path outside the workspace is refused', async () => {
    await assert.rejects(() => Promise.resolve(vscode.lm.invokeTool('quipu_search', { input: { query: '  ' }, toolInvocationToken: undefined })), /query is empty/);
    await assert.rejects(() => Promise.resolve(vscode.lm.invokeTool('quipu_similar', { input: { path: '/etc/passwd' }, toolInvocationToken: undefined })), /not inside a workspace folder/);
  });

  test('a cancelled call ends as cancelled', async () => {
    const source = new vscode.CancellationTokenSource();
    source.cancel();
    await assert.rejects(() => Promise.resolve(vscode.lm.invokeTool('quipu_search', { input: { query: 'boiling noodles' }, toolInvocationToken: undefined }, source.token)), /cancel/i);
  });

  test('"Quipu: Find Similar Code" on a selection shows code like it, not the selection itself', async () => {
    const editor = await vscode.window.showTextDocument(fileUri('src/net/retry.ts'));
    editor.selection = new vscode.Selection(14, 0, 19, 0);
    const shown = await vscode.commands.executeCommand<WorkspaceSimilar | undefined>('quipu.findSimilar');
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(shown, 'the command returns what it shows');
    assert.equal(shown.source.path, 'src/net/retry.ts');
    assert.equal(shown.source.symbol, 'withRetry');
    assert.ok(shown.results.length > 0);
    assert.ok(!shown.results.some((r) => r.path === 'src/net/retry.ts' && r.symbol === 'withRetry'), shown.results.map((r) => `${r.path} ${r.symbol}`).join(', '));
    for (const r of shown.results) assert.ok(r.uri.startsWith('file://') && r.uri.endsWith(`/${r.path}`), r.uri);
  });
});
