/**
 * One search path (src/core/search/search.ts): a folder's local index and the same content published
 * as a team index on a real Chroma server (test/servers/chroma.ts) rank alike, in every mode, with
 * every filter, for sentences, identifiers and quoted phrases (test/contracts/search-contract-corpus.ts;
 * the local side alone: test/unit/search-contract.test.ts).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { quotedPhrase } from '../../src/core/search/rank';
import type { SearchResult } from '../../src/core/search/search';
import { TeamIndex } from '../../src/core/team/team';
import { assertSnippetLines, contractFolder, MODES, OPTIONS, PHRASE, QUERIES } from '../contracts/search-contract-corpus';
import { tempDir, testEngine } from '../helpers';
import { startChroma, type RunningChroma } from '../servers/chroma';

let chroma: RunningChroma;
let engine: QuipuEngine;
let team: TeamIndex;
const folder = contractFolder();
const localIndex = join(tempDir(), 'index');

before(async () => {
  chroma = await startChroma();
  engine = await testEngine();
  team = TeamIndex.for(engine, folder, { url: chroma.url, collection: 'contract' }, { overlayDir: join(tempDir(), 'overlay') });
  // The local index is built and published as it is: both sides hold the same chunks and vectors.
  const { published } = await team.publish({ indexDir: localIndex, commit: 'c1' });
  assert.ok(published.filesUploaded > 5, 'the corpus and the search sources are on the server');
  const overlay = (await team.sync())!;
  assert.equal(overlay.filesIndexed, 0, 'nothing differs from the base: the overlay is empty');
});
after(async () => {
  await team?.close();
  await chroma?.dispose();
});

/** Cosines differ by about 1e-5 (the local scan rescores float16 rows, the server float32): ties may swap. */
const SCORE_TOLERANCE = 1e-3;

function assertSameRanking(local: SearchResult[], fromTeam: SearchResult[], what: string): void {
  assert.equal(fromTeam.length, local.length, `${what}: as many results`);
  local.forEach((mine, i) => {
    const theirs = fromTeam[i];
    assert.ok(Math.abs(mine.score - theirs.score) < SCORE_TOLERANCE, `${what} #${i + 1}: scores ${mine.score} and ${theirs.score}`);
    const sameChunk = mine.path === theirs.path && mine.startLine === theirs.startLine;
    if (sameChunk) {
      assert.equal(theirs.snippet, mine.snippet, `${what} #${i + 1}: the same snippet`);
      assert.equal(theirs.snippetStartLine, mine.snippetStartLine);
    } else {
      // Only a tie may change places: the same chunk must be the other's neighbour with the same score.
      const swapped = [fromTeam[i - 1], fromTeam[i + 1]].some((n) => n && n.path === mine.path && n.startLine === mine.startLine && Math.abs(n.score - mine.score) < SCORE_TOLERANCE);
      assert.ok(swapped, `${what} #${i + 1}: ${mine.path}:${mine.startLine} locally, ${theirs.path}:${theirs.startLine} from the team index`);
    }
  });
}

test('the local index and the team index give the same ranking on the same content, in every mode', async () => {
  let compared = 0;
  for (const mode of MODES) {
    for (const query of QUERIES) {
      for (const options of OPTIONS) {
        const local = await engine.search(folder, query, { ...options, mode, indexDir: localIndex });
        const fromTeam = await team.search(query, { ...options, mode, sync: false });
        assert.equal(fromTeam.notice, undefined, 'the server answered');
        assert.ok(local.length > 0, `${mode} "${query}" ${JSON.stringify(options)} finds something`);
        assertSameRanking(local, fromTeam.results, `${mode} "${query}" ${JSON.stringify(options)}`);
        local.forEach((result) => assertSnippetLines(folder, result));
        compared++;
      }
    }
  }
  assert.equal(compared, MODES.length * QUERIES.length * OPTIONS.length);
});

test('a quoted phrase puts the chunk holding it first on the team index too (it once ranked by the words alone there)', async () => {
  const [unquoted] = await engine.search(folder, PHRASE.slice(1, -1), { indexDir: localIndex, mode: 'lexical', topK: 3 });
  assert.equal(unquoted?.path, 'notes/flushing.md', 'without quotes, the words alone decide (the test needs that to mean something)');
  for (const mode of ['hybrid', 'lexical'] as const) {
    const { results } = await team.search(PHRASE, { mode, sync: false });
    assert.equal(results[0].path, 'notes/journal.md', mode);
    assert.ok(results[0].snippet.toLowerCase().includes(quotedPhrase(PHRASE)!), `${mode}: the snippet shows the phrase: ${results[0].snippet}`);
  }
});
