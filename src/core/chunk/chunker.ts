/**
 * Token-aware chunking with the model's own tokenizer. Pure: give it text and a tokenizer.
 *
 * Chunks are cut at line boundaries; a line longer than the budget is cut at word boundaries, and a
 * word longer than the budget at character boundaries, so nothing is ever dropped. Consecutive chunks
 * share up to `overlapTokens` tokens of whole lines (or pieces), so a passage cut in two is still found.
 */
import type { ChunkSettings } from '../config/config';
import type { StructureUnit } from './structure';

export interface ChunkTokenizer {
  /** Token ids without special tokens. */
  encodeNoSpecial(text: string): number[];
  /** Model input ids, with special tokens, truncated to `maxTokens`. */
  encodeForModel(text: string, maxTokens: number): number[];
  /** How many special tokens `encodeForModel` adds (2 for BERT: [CLS] and [SEP]). */
  readonly specialTokenCount: number;
  /** True when the model sees no case ("Word" and "word" are the same tokens), as uncased BERT models. */
  readonly lowercases: boolean;
}

export interface Chunk {
  text: string;
  /** 1-based, inclusive. */
  startLine: number;
  endLine: number;
  /** Model input ids, special tokens included; never longer than `maxTokens`. */
  ids: number[];
  /** Enclosing symbol (function, class, heading), when the file's structure is known. */
  symbol?: string;
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

/** Declarations this small are packed together with their neighbours (a lone getter is poor context). */
const SMALL_UNIT_TOKENS = 48;

interface Piece {
  startLine: number;
  endLine: number;
  tokens: number;
  symbol?: string;
  /** Code between declarations (imports, constants): glued to a neighbour when it fits. */
  filler: boolean;
  /** Packed with its neighbours whatever its size (overload signatures). */
  packable?: boolean;
}

/**
 * Chunks that follow the file's structure: one declaration (or Markdown section) per chunk where it
 * fits; a larger one is cut at the units nested in it (a class at its methods), and one with none
 * falls back to line windows. Code between declarations joins its neighbour when it fits, and so do
 * tiny declarations. Every chunk still respects the token budget and keeps its line range.
 */
export function chunkByStructure(text: string, units: StructureUnit[], tokenizer: ChunkTokenizer, settings: ChunkSettings): Chunk[] {
  if (units.length === 0) return chunkText(text, tokenizer, settings);
  const lines = text.split('\n');
  const budget = settings.maxTokens - tokenizer.specialTokenCount;
  const lineTokens = lines.map((line) => (line.trim() ? tokenizer.encodeNoSpecial(line).length : 0));
  const tokensOf = (start: number, end: number) => {
    let sum = 0;
    for (let line = start; line <= end; line++) sum += lineTokens[line - 1] ?? 0;
    return sum;
  };

  const pieces: Piece[] = [];
  const filler = (start: number, end: number, symbol?: string) => {
    if (end >= start && tokensOf(start, end) > 0) pieces.push({ startLine: start, endLine: end, tokens: tokensOf(start, end), symbol, filler: true });
  };
  const place = (siblings: StructureUnit[], from: number, to: number, parent?: string) => {
    let cursor = from;
    for (const unit of siblings) {
      const start = Math.max(unit.startLine, cursor);
      const end = Math.min(unit.endLine, to);
      if (end < start) continue;
      filler(cursor, start - 1, parent);
      const tokens = tokensOf(start, end);
      if (tokens <= budget || unit.children.length === 0) pieces.push({ startLine: start, endLine: end, tokens, symbol: unit.name, filler: false, packable: unit.signature });
      else place(unit.children, start, end, unit.name);
      cursor = end + 1;
    }
    filler(cursor, to, parent);
  };
  place(units, 1, lines.length);

  // Pack fillers and tiny declarations with their neighbours while the budget allows.
  const packed: Piece[] = [];
  for (const piece of pieces) {
    const last = packed[packed.length - 1];
    const small = (p: Piece) => p.filler || p.packable === true || p.tokens < SMALL_UNIT_TOKENS;
    // A declaration cut into line windows anyway takes a few lines of code next to it along (an import
    // block before it, a closing line after it), rather than leaving them a chunk of their own.
    const windowed = (p: Piece) => p.tokens > budget && !p.filler;
    const smallFiller = (p: Piece) => p.filler && p.tokens < SMALL_UNIT_TOKENS;
    const joinsWindows = last && last.endLine + 1 >= piece.startLine && ((smallFiller(last) && windowed(piece)) || (windowed(last) && smallFiller(piece)));
    if (last && (joinsWindows || (last.tokens + piece.tokens <= budget && (small(last) || small(piece)) && last.endLine + 1 >= piece.startLine))) {
      last.endLine = piece.endLine;
      last.tokens += piece.tokens;
      // Name the chunk after the declaration it holds (the first one, when several).
      if (last.filler && !piece.filler) last.symbol = piece.symbol;
      else if (!last.symbol) last.symbol = piece.symbol;
      last.filler = last.filler && piece.filler;
      continue;
    }
    packed.push({ ...piece });
  }

  const chunks: Chunk[] = [];
  for (const piece of packed) {
    const pieceText = lines.slice(piece.startLine - 1, piece.endLine).join('\n');
    if (piece.tokens <= budget) {
      const chunk = trimmedChunk(pieceText, piece.startLine, tokenizer, settings.maxTokens);
      if (chunk) chunks.push({ ...chunk, ...(piece.symbol ? { symbol: piece.symbol } : {}) });
      continue;
    }
    for (const chunk of chunkText(pieceText, tokenizer, settings)) {
      chunks.push({
        ...chunk,
        startLine: chunk.startLine + piece.startLine - 1,
        endLine: chunk.endLine + piece.startLine - 1,
        ...(piece.symbol ? { symbol: piece.symbol } : {}),
      });
    }
  }
  return chunks;
}

/** A chunk of whole lines, without the blank lines at either end. */
function trimmedChunk(text: string, firstLine: number, tokenizer: ChunkTokenizer, maxTokens: number): Chunk | undefined {
  const lines = text.split('\n');
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && !lines[first].trim()) first++;
  while (last >= first && !lines[last].trim()) last--;
  if (first > last) return undefined;
  const body = lines.slice(first, last + 1).join('\n');
  return { text: body, startLine: firstLine + first, endLine: firstLine + last, ids: tokenizer.encodeForModel(body, maxTokens) };
}
