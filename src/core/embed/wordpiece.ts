/**
 * BERT's WordPiece tokenizer, id for id what transformers.js computes from the same tokenizer.json
 * (BertNormalizer, BertPreTokenizer, WordPiece, [CLS] … [SEP]), several times faster: transformers.js
 * runs a regular expression per character to clean the text and copies arrays per candidate piece, and
 * tokenising was most of the chunk worker's time (bench/INSTANT.md). Text is mostly ASCII, so a table
 * classifies ASCII characters and whole words are looked up in a cache; a stretch between ASCII
 * whitespace that holds any other character goes through the same steps transformers.js takes, in its
 * order, so the result stays the same (test/unit/wordpiece.test.ts compares the two on real files).
 * `parseWordPiece` returns undefined for any tokenizer.json it does not reproduce; the caller falls back.
 */

/** The parts of a tokenizer.json this module reproduces. */
export interface WordPieceSpec {
  vocab: Map<string, number>;
  unkToken: string;
  prefix: string;
  maxInputCharsPerWord: number;
  /** Added tokens, matched in the raw text before normalising (transformers.js: `normalized: false`). */
  added: Map<string, number>;
  /** Ids put before and after the text when special tokens are asked for. */
  before: number[];
  after: number[];
}

const DROP = 0;
const SPACE = 1;
const PUNCT = 2;
const WORD = 3;
const UPPER = 4;

/** ASCII classes: control characters are removed (not a break), tab/newline/return/space break words. */
const ASCII = new Uint8Array(128).map((_, c) => {
  if (c === 9 || c === 10 || c === 13 || c === 32) return SPACE;
  if (c < 32 || c === 127) return DROP;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return PUNCT;
  return c >= 65 && c <= 90 ? UPPER : WORD;
});

// transformers.js' BertNormalizer and BertPreTokenizer, for stretches that are not all ASCII.
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const WHITESPACE = /^\s$/;
const MARKS = /\p{Mn}/gu;
const PUNCTUATION = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const PRE_TOKEN = new RegExp(`[^\\s${PUNCTUATION}]+|[${PUNCTUATION}]`, 'gu');
const SURROGATE = /[\uD800-\uDFFF]/;
/** Words remembered with their ids; emptied when full, so memory stays bounded on any input. */
const CACHE_WORDS = 50_000;

const isChineseChar = (cp: number) => (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff);

/** The fields of a tokenizer.json that decide whether this module reproduces it. */
interface TokenizerJson {
  normalizer?: { type?: string; clean_text?: boolean; handle_chinese_chars?: boolean; lowercase?: boolean; strip_accents?: boolean | null };
  pre_tokenizer?: { type?: string };
  model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number; fuse_unk?: boolean };
  added_tokens?: { id: number; content: string; normalized?: boolean; lstrip?: boolean; rstrip?: boolean }[];
  post_processor?: {
    type?: string;
    single?: ({ SpecialToken?: { id: string }; Sequence?: { id: string } } | undefined)[];
    special_tokens?: Record<string, { ids?: number[] } | undefined>;
  };
}

export function parseWordPiece(json: unknown): WordPieceSpec | undefined {
  const t = (json ?? {}) as TokenizerJson;
  const norm = t.normalizer;
  const model = t.model;
  if (norm?.type !== 'BertNormalizer' || norm.clean_text !== true || norm.handle_chinese_chars !== true || norm.lowercase !== true) return undefined;
  if (norm.strip_accents === false || t.pre_tokenizer?.type !== 'BertPreTokenizer') return undefined;
  if (model?.type !== 'WordPiece' || typeof model.vocab !== 'object' || typeof model.unk_token !== 'string' || model.fuse_unk) return undefined;
  const added = new Map<string, number>();
  for (const token of t.added_tokens ?? []) {
    if (token.normalized || token.lstrip || token.rstrip || typeof token.content !== 'string' || !token.content) return undefined;
    added.set(token.content, token.id);
  }
  const post = t.post_processor;
  if (post?.type !== 'TemplateProcessing' || !Array.isArray(post.single)) return undefined;
  const before: number[] = [];
  const after: number[] = [];
  let seenText = false;
  for (const item of post.single) {
    if (item?.Sequence?.id === 'A' && !seenText) seenText = true;
    else if (item?.SpecialToken) {
      const ids = post.special_tokens?.[item.SpecialToken.id]?.ids;
      if (!Array.isArray(ids)) return undefined;
      (seenText ? after : before).push(...ids);
    } else return undefined;
  }
  const vocab = new Map<string, number>(Object.entries(model.vocab));
  if (!seenText || !vocab.has(model.unk_token)) return undefined;
  return {
    vocab,
    unkToken: model.unk_token,
    prefix: model.continuing_subword_prefix ?? '##',
    maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
    added,
    before,
    after,
  };
}

const codePoints = (s: string) => (SURROGATE.test(s) ? [...s].length : s.length);

export class WordPiece {
  private readonly first = new Map<string, number>();
  private readonly next = new Map<string, number>();
  private readonly firstMax: number;
  private readonly nextMax: number;
  private readonly unkId: number;
  private readonly addedStart: Set<number>;
  private cache = new Map<string, readonly number[]>();

  constructor(private readonly spec: WordPieceSpec) {
    // A piece's id is the added token's when a piece spells one (transformers.js looks those up first).
    const idOf = (token: string) => spec.added.get(token) ?? spec.vocab.get(token)!;
    let firstMax = 0;
    let nextMax = 0;
    for (const token of spec.vocab.keys()) {
      this.first.set(token, idOf(token));
      firstMax = Math.max(firstMax, codePoints(token));
      if (token.startsWith(spec.prefix) && token.length > spec.prefix.length) {
        const rest = token.slice(spec.prefix.length);
        this.next.set(rest, idOf(token));
        nextMax = Math.max(nextMax, codePoints(rest));
      }
    }
    this.firstMax = firstMax;
    this.nextMax = nextMax;
    this.unkId = idOf(spec.unkToken);
    this.addedStart = new Set([...spec.added.keys()].map((token) => token.charCodeAt(0)));
  }

  get specialTokenCount(): number {
    return this.spec.before.length + this.spec.after.length;
  }

  /** Ids of `text`, with the special tokens around them when asked (as transformers.js' `encode`). */
  encode(text: string, options: { add_special_tokens?: boolean } = {}): number[] {
    const ids = this.encodeText(text);
    return options.add_special_tokens === false ? ids : this.withSpecial(ids);
  }

  withSpecial(ids: number[]): number[] {
    return [...this.spec.before, ...ids, ...this.spec.after];
  }

  /**
   * Ids of `text` without special tokens. With `limit`, it may stop once it has at least `limit` ids
   * (the first ids are the same: what follows a stretch of whitespace never changes what came before).
   */
  encodeText(text: string, limit = Infinity): number[] {
    const out: number[] = [];
    for (const section of this.splitAdded(text)) {
      const id = this.spec.added.get(section);
      if (id !== undefined) out.push(id);
      else this.encodeSection(section, out, limit);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** transformers.js' DictionarySplitter: the longest added token at each position, left to right. */
  private splitAdded(text: string): string[] {
    if (this.spec.added.size === 0) return [text];
    let i = 0;
    for (; i < text.length && !this.addedStart.has(text.charCodeAt(i)); i++);
    if (i === text.length) return [text];
    const sections: string[] = [];
    let start = 0;
    while (i < text.length) {
      let match: string | undefined;
      if (this.addedStart.has(text.charCodeAt(i))) {
        for (const token of this.spec.added.keys()) {
          if ((match === undefined || token.length > match.length) && text.startsWith(token, i)) match = token;
        }
      }
      if (match === undefined) {
        i++;
        continue;
      }
      if (i > start) sections.push(text.slice(start, i));
      sections.push(match);
      i += match.length;
      start = i;
    }
    if (start < text.length) sections.push(text.slice(start));
    return sections;
  }

  private encodeSection(text: string, out: number[], limit: number): void {
    const n = text.length;
    let stretchStart = 0;
    let stretchOut = out.length;
    let wordStart = -1;
    let upper = false;
    let dropped = false;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        // Not ASCII: this whole stretch between ASCII whitespace goes the exact way.
        let end = i + 1;
        while (end < n) {
          const c = text.charCodeAt(end);
          if (c < 128 && ASCII[c] === SPACE) break;
          end++;
        }
        out.length = stretchOut;
        this.encodeExact(text.slice(stretchStart, end), out);
        wordStart = -1;
        i = end;
        stretchStart = end + 1;
        stretchOut = out.length;
        if (out.length >= limit) return;
        continue;
      }
      const kind = ASCII[code];
      if (kind >= WORD) {
        if (wordStart < 0) {
          wordStart = i;
          upper = false;
          dropped = false;
        }
        if (kind === UPPER) upper = true;
        continue;
      }
      if (kind === DROP) {
        if (wordStart >= 0) dropped = true;
        continue;
      }
      if (wordStart >= 0) {
        this.encodeAsciiWord(text.slice(wordStart, i), upper, dropped, out);
        wordStart = -1;
      }
      if (kind === PUNCT) out.push(this.first.get(text[i]) ?? this.unkId);
      else {
        stretchStart = i + 1;
        stretchOut = out.length;
        if (out.length >= limit) return;
      }
    }
    if (wordStart >= 0) this.encodeAsciiWord(text.slice(wordStart), upper, dropped, out);
  }

  private encodeAsciiWord(raw: string, upper: boolean, dropped: boolean, out: number[]): void {
    let word = raw;
    if (dropped) {
      word = '';
      for (let i = 0; i < raw.length; i++) if (ASCII[raw.charCodeAt(i)] !== DROP) word += raw[i];
    }
    if (upper) word = word.toLowerCase();
    this.pushWord(word, out);
  }

  /** transformers.js' steps on a stretch: clean, space out CJK, lowercase, strip accents, split. */
  private encodeExact(stretch: string, out: number[]): void {
    let cleaned = '';
    for (const char of stretch) {
      const code = char.charCodeAt(0);
      if (code === 0 || code === 0xfffd || (code !== 9 && code !== 10 && code !== 13 && CONTROL.test(char))) continue;
      cleaned += WHITESPACE.test(char) ? ' ' : char;
    }
    let spaced = '';
    for (let i = 0; i < cleaned.length; i++) {
      const char = cleaned[i];
      spaced += isChineseChar(char.charCodeAt(0)) ? ` ${char} ` : char;
    }
    const normalized = spaced.toLowerCase().normalize('NFD').replace(MARKS, '');
    for (const word of normalized.trim().match(PRE_TOKEN) ?? []) this.pushWord(word, out);
  }

  private pushWord(word: string, out: number[]): void {
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = this.wordPiece(word);
      if (this.cache.size >= CACHE_WORDS) this.cache = new Map();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  /** Greedy longest match first; the whole word is [UNK] when a piece is missing or it is too long. */
  private wordPiece(word: string): number[] {
    const chars: string | string[] = SURROGATE.test(word) ? [...word] : word;
    const n = chars.length;
    if (n > this.spec.maxInputCharsPerWord) return [this.unkId];
    const piece = typeof chars === 'string' ? (a: number, b: number) => chars.slice(a, b) : (a: number, b: number) => chars.slice(a, b).join('');
    const ids: number[] = [];
    let start = 0;
    while (start < n) {
      const table = start === 0 ? this.first : this.next;
      let end = Math.min(n, start + (start === 0 ? this.firstMax : this.nextMax));
      let id: number | undefined;
      for (; end > start; end--) {
        id = table.get(piece(start, end));
        if (id !== undefined) break;
      }
      if (id === undefined) return [this.unkId];
      ids.push(id);
      start = end;
    }
    return ids;
  }
}
