/**
 * What a result shows of its chunk: the lines that matched the query's words, not the chunk's first
 * lines. A chunk is a whole function or section (often 30-80 lines) and a front end shows 4-6 of
 * them; the lines that say why it was found are often far down. The words are read as the lexical
 * index reads them (`tokenizeCode`: `parseJSON` matches "parse json", "headers" matches
 * `getHeader`), with the prefixes and short forms it also counts ("message" → `msg`). A chunk found
 * by meaning alone, with none of the words, shows its first lines.
 */
import { tokenizeCode } from '../text/code-terms';
import { shortFormsOf } from './word-forms';

/** Lines a snippet holds at most. */
export const SNIPPET_MAX_LINES = 12;
/** Characters a snippet holds at most, in whole lines (a first line longer than this is cut, ending in "…"). */
const SNIPPET_MAX_CHARS = 600;
/** Lines kept above the first matched line: the signature or heading a body line belongs to. */
const CONTEXT_LINES = 1;
/** A query word this long also matches the longer words it starts (as in the lexical index). */
const PREFIX_MIN_LENGTH = 4;

export interface Snippet {
  /** The lines shown, "\n"-joined; a last line "…" when the chunk goes on below them. */
  text: string;
  /** The file line (1-based) of the snippet's first line. */
  startLine: number;
}

/** The query's words as snippets match them, computed once per search. */
export class SnippetTerms {
  private readonly words: readonly string[];

  constructor(query: string) {
    const words = new Set<string>();
    for (const term of tokenizeCode(query)) {
      words.add(term);
      for (const form of shortFormsOf(term)) words.add(form);
    }
    // One bit per word in `matchesOf`: a query of more words than that adds nothing to tell apart.
    this.words = [...words].slice(0, 31);
  }

  get empty(): boolean {
    return this.words.length === 0;
  }

  /** The query words a line holds (one bit per word) and how many times it holds any. */
  matchesOf(line: string): { words: number; hits: number } {
    let words = 0;
    let hits = 0;
    for (const term of tokenizeCode(line)) {
      const found = this.words.findIndex((word) => term === word || (word.length >= PREFIX_MIN_LENGTH && term.startsWith(word)));
      if (found < 0) continue;
      hits++;
      words |= 1 << found;
    }
    return { words, hits };
  }
}

/**
 * The lines of `text` (a chunk starting at file line `firstLine`) that best show the query's words:
 * a window of up to SNIPPET_MAX_LINES lines, from just above a matched line, that holds the most
 * distinct query words; among those, the one whose matched line holds the most (the line that says
 * why the chunk was found), then the most matches, then the first. No match: the first lines.
 */
export function snippetOf(text: string, firstLine: number, terms?: SnippetTerms): Snippet {
  const lines = text.split('\n');
  let start = 0;
  if (terms && !terms.empty && lines.length > 1) {
    const matches = lines.map((line) => terms.matchesOf(line));
    let best = [0, 0, 0];
    for (let at = 0; at < lines.length; at++) {
      if (matches[at].hits === 0) continue;
      const from = Math.max(0, at - CONTEXT_LINES);
      let words = 0;
      let hits = 0;
      for (let i = from; i < Math.min(lines.length, from + SNIPPET_MAX_LINES); i++) {
        words |= matches[i].words;
        hits += matches[i].hits;
      }
      const rank = [bitCount(words), bitCount(matches[at].words), hits];
      if (rank[0] > best[0] || (rank[0] === best[0] && (rank[1] > best[1] || (rank[1] === best[1] && rank[2] > best[2])))) {
        best = rank;
        start = from;
      }
    }
    // A window that starts on blank lines starts at its first line with text.
    while (start > 0 && start < lines.length - 1 && !lines[start].trim()) start++;
  }
  // Whole lines, so each shown line is the file's line; one line longer than the cap is cut.
  const shown: string[] = [];
  let chars = 0;
  for (let i = start; i < Math.min(lines.length, start + SNIPPET_MAX_LINES); i++) {
    chars += lines[i].length + 1;
    if (chars > SNIPPET_MAX_CHARS && shown.length > 0) break;
    shown.push(lines[i].length > SNIPPET_MAX_CHARS ? lines[i].slice(0, SNIPPET_MAX_CHARS) + '…' : lines[i]);
  }
  const more = start + shown.length < lines.length;
  return { text: shown.join('\n') + (more ? '\n…' : ''), startLine: firstLine + start };
}

function bitCount(n: number): number {
  let count = 0;
  for (let x = n; x !== 0; x &= x - 1) count++;
  return count;
}
