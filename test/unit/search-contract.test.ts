/**
 * One search path (src/core/search/search.ts): a folder's local index and the same content published
 * as a team index on a real Chroma server (test/servers/chroma.ts) rank alike, in every mode, with
 * every filter, for sentences, identifiers and quoted phrases. The content is real: the corpus
 * fixture and Quipu's own search sources, embedded by the real model.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { QuipuEngine } from '../../src/core/engine/engine';
import { quotedPhrase } from '../../src/core/search/rank';
import type { SearchMode, SearchOptions, SearchResult } from '../../src/core/search/search';
import { TeamIndex } from '../../src/core/team/team';
import { copyFixture, ROOT, tempDir, testEngine } from '../helpers';
import { startChroma, type RunningChroma } from '../servers/chroma';

let chroma: RunningChroma;
let engine: QuipuEngine;
let team: TeamIndex;
const folder = copyFixture('corpus');
cpSync(join(ROOT, 'src', 'core', 'search'), join(folder, 'src', 'search'), { recursive: true });
// flushing.md repeats the words (BM25 likes it) but never in order; journal.md says the phrase once.
writeFileSync(join(folder, 'notes', 'flushing.md'), '# Notes\n\nFlushed writes: every write is logged, after which it is flushed; flushed every time, write after write, every flushed write after every write.\n');
writeFileSync(join(folder, 'notes', 'journal.md'), '# Journal\n\nThe storage layer keeps pages in memory for a while. Its cache is flushed after every write, which costs some speed but loses nothing on a crash.\n');
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

/** A snippet is the file's lines from snippetStartLine on, within the chunk's lines. */
function assertSnippetLines(result: SearchResult): void {
  const shown = result.snippet.replace(/\n…$/, '').split('\n');
  const file = readFileSync(join(folder, result.path), 'utf8').split('\n');
  assert.ok(result.snippetStartLine >= result.startLine && result.snippetStartLine + shown.length - 1 <= result.endLine, `${result.path}:${result.startLine}-${result.endLine} shows lines from ${result.snippetStartLine}`);
  shown.forEach((line, i) => assert.equal(line, file[result.snippetStartLine - 1 + i], `${result.path} line ${result.snippetStartLine + i}`));
}

const PHRASE = '"flushed after every write"';
const QUERIES = ['how are passwords hashed', 'retry a request with exponential backoff', 'fuseRankings', 'searchLexical', '"term rarity are summed"', PHRASE, 'parse json'];
const OPTIONS: SearchOptions[] = [{}, { topK: 20 }, { groupByFile: true }, { types: ['ts'] }, { include: ['src/**'], exclude: ['**/lexical.ts'] }];
const MODES: SearchMode[] = ['hybrid', 'vector', 'lexical'];

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
        local.forEach(assertSnippetLines);
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
