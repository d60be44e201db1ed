/** Indexing through the command and searching through the API, in the real extension host. */
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, test } from 'mocha';
import type { QuipuApi } from '../../src/extension/api';
import { assertLinesMatchSnippet, indexWorkspace, paths, quipu } from './helpers';

suite('Index and search', () => {
  let api: QuipuApi;

  suiteSetup(async () => {
    api = await quipu();
  });

  test('"Quipu: Index Workspace" indexes the seven fixture files, PDF and DOCX included', async () => {
    await indexWorkspace(api);
    const state = api.state();
    assert.equal(state.phase, 'ready', `state: ${JSON.stringify(state)}`);
    assert.equal(state.files, 7, `state: ${JSON.stringify(state)}`);
    assert.ok(state.chunks >= 7, `state: ${JSON.stringify(state)}`);
  });

  test('a query sharing no keyword with the code finds password.ts first', async () => {
    const results = await api.search('keep user credentials safe before saving them');
    assert.equal(results[0]?.path, 'src/auth/password.ts', `got ${paths(results).join(', ')}`);
    for (const result of results.filter((r) => !/\.(pdf|docx)$/.test(r.path))) await assertLinesMatchSnippet(result);
  });

  test('a query about backoff finds retry.ts first, at lines holding its snippet', async () => {
    const results = await api.search('wait longer after each failed attempt');
    assert.equal(results[0]?.path, 'src/net/retry.ts', `got ${paths(results).join(', ')}`);
    await assertLinesMatchSnippet(results[0]);
  });

  test('PDF and DOCX text is searchable, and a PDF hit names its page', async () => {
    const solar = await api.search('electricity from sunlight on the roof');
    assert.equal(solar[0]?.path, 'docs/solar-guide.pdf', `got ${paths(solar).join(', ')}`);
    assert.equal(solar[0].page, 1);
    const bees = await api.search('looking after honey bee colonies');
    assert.equal(bees[0]?.path, 'docs/beekeeping.docx', `got ${paths(bees).join(', ')}`);
  });

  test('results carry file URIs inside the workspace folder', async () => {
    const results = await api.search('rolling back a release');
    assert.ok(results.length > 0);
    for (const result of results) {
      assert.ok(result.uri.startsWith('file://'), result.uri);
      assert.ok(result.uri.endsWith(`/${result.path}`), `${result.uri} vs ${result.path}`);
    }
    assert.equal(results[0].path, 'docs/deploy.md', `got ${paths(results).join(', ')}`);
  });
});
