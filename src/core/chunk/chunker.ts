/**
 * Token-aware chunking with the model's own tokenizer. Pure: give it text and a tokenizer.
 *
 * Chunks are cut at line boundaries; a line longer than the budget is cut at word boundaries, and a
 * word longer than the budget at character boundaries, so nothing is ever dropped. Consecutive chunks
 * share up to `overlapTokens` tokens of whole lines (or pieces), so a passage cut in two is still found.
 */
import type { ChunkSettings } from '../config';

export interface ChunkTokenizer {
  /** Token ids without special tokens. */
  encodeNoSpecial(text: string): number[];
  /** Model input ids, with special tokens, truncated to `maxTokens`. */
  encodeForModel(text: string, maxTokens: number): number[];
  /** How many special tokens `encodeForModel` adds (2 for BERT: [CLS] and [SEP]). */
  readonly specialTokenCount: number;
}

export interface Chunk {
  text: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Model input ids, special tokens included; never longer than `maxTokens`. */
  ids: number[];
}

interface Segment {
  text: string;
  /** 1-based line the segment belongs to. */
  line: number;
  tokens: number;
  /** True when the segment continues the previous segment's line (a piece of a long line). */
  continuesLine: boolean;
}

export function chunkText(text: string, tokenizer: ChunkTokenizer, settings: ChunkSettings): Chunk[] {
  const budget = settings.maxTokens - tokenizer.specialTokenCount;
  const segments = toSegments(text, tokenizer, budget);
  const chunks: Chunk[] = [];
  let current: Segment[] = [];
  let currentTokens = 0;

  const emit = () => {
    const chunk = makeChunk(current, tokenizer, settings.maxTokens);
    if (chunk) chunks.push(chunk);
    // Start the next chunk with the tail of this one, at most overlapTokens and never all of it.
    const overlap: Segment[] = [];
    let overlapTokens = 0;
    for (let i = current.length - 1; i > 0; i--) {
      const segment = current[i];
      if (overlapTokens + segment.tokens > settings.overlapTokens) break;
      overlap.unshift(segment);
      overlapTokens += segment.tokens;
    }
    current = overlap;
    currentTokens = overlapTokens;
  };

  for (const segment of segments) {
    if (currentTokens + segment.tokens > budget && current.length > 0) {
      emit();
      // The overlap plus this segment may still not fit: drop overlap until it does.
      while (current.length > 0 && currentTokens + segment.tokens > budget) {
        currentTokens -= current.shift()!.tokens;
      }
    }
    current.push(segment);
    currentTokens += segment.tokens;
  }
  if (current.some((s) => s.tokens > 0)) {
    const last = makeChunk(current, tokenizer, settings.maxTokens);
    if (last && !isContainedInPrevious(last, chunks[chunks.length - 1])) chunks.push(last);
  }
  return chunks;
}

function toSegments(text: string, tokenizer: ChunkTokenizer, budget: number): Segment[] {
  const segments: Segment[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const lineNumber = index + 1;
    if (line.trim() === '') {
      segments.push({ text: line, line: lineNumber, tokens: 0, continuesLine: false });
      continue;
    }
    const tokens = tokenizer.encodeNoSpecial(line).length;
    if (tokens <= budget) {
      segments.push({ text: line, line: lineNumber, tokens, continuesLine: false });
      continue;
    }
    splitLongLine(line, tokenizer, budget).forEach((piece, i) =>
      segments.push({ text: piece.text, line: lineNumber, tokens: piece.tokens, continuesLine: i > 0 }),
    );
  }
  return segments;
}

/** Pieces of one line, each within budget, whose concatenation is the line. */
function splitLongLine(line: string, tokenizer: ChunkTokenizer, budget: number): { text: string; tokens: number }[] {
  const pieces: { text: string; tokens: number }[] = [];
  let pieceText = '';
  let pieceTokens = 0;
  const flush = () => {
    if (pieceText) pieces.push({ text: pieceText, tokens: pieceTokens });
    pieceText = '';
    pieceTokens = 0;
  };
  for (const word of line.match(/\s*\S+\s*/g) ?? [line]) {
    const tokens = tokenizer.encodeNoSpecial(word).length;
    if (tokens > budget) {
      flush();
      // A "word" beyond the budget (minified code, base64): cut by characters. Each WordPiece token
      // spans at least one character, so `budget` characters hold at most `budget` tokens.
      for (let start = 0; start < word.length; start += budget) {
        const slice = word.slice(start, start + budget);
        pieces.push({ text: slice, tokens: tokenizer.encodeNoSpecial(slice).length });
      }
      continue;
    }
    if (pieceTokens + tokens > budget) flush();
    pieceText += word;
    pieceTokens += tokens;
  }
  flush();
  return pieces;
}

function makeChunk(segments: Segment[], tokenizer: ChunkTokenizer, maxTokens: number): Chunk | undefined {
  // Blank lines at either end carry no meaning and would blur the line range.
  let first = 0;
  let last = segments.length - 1;
  while (first <= last && segments[first].tokens === 0) first++;
  while (last >= first && segments[last].tokens === 0) last--;
  if (first > last) return undefined;
  let text = '';
  for (let i = first; i <= last; i++) {
    const segment = segments[i];
    if (i > first) text += segment.continuesLine ? '' : '\n';
    text += segment.text;
  }
  return {
    text,
    startLine: segments[first].line,
    endLine: segments[last].line,
    ids: tokenizer.encodeForModel(text, maxTokens),
  };
}

/** The trailing overlap alone is not worth a chunk of its own. */
function isContainedInPrevious(chunk: Chunk, previous: Chunk | undefined): boolean {
  return previous !== undefined && chunk.startLine >= previous.startLine && chunk.endLine <= previous.endLine && previous.text.endsWith(chunk.text);
}
