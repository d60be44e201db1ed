/**
 * What the embedding model reads. The stored text, the snippets and the lexical index keep the
 * chunk as it is; the model gets a version made for a sentence-embedding model that was trained
 * on prose (bench/QUALITY-EXPERIMENTS.md §5 measures each step):
 * - the chunk's whereabouts in front ("src/net/retry.ts · withRetry");
 * - without the lines that only wire the file to others (imports, includes): in a small file they
 *   outweigh the code and make every file look like every other;
 * - without tool pragmas (`/*#__PURE__*\/`, `// eslint-disable-line`), which say nothing of meaning;
 * - with compound identifiers cut into words when the tokenizer lower-cases: `dropLastWhile`
 *   becomes "drop Last While" instead of the word pieces "drop ##las ##t ##while".
 * A query gets the same word cutting, so both sides meet on the same words.
 */

export interface ChunkInputOptions {
  /** The chunk's file, relative to its folder, and enclosing symbol: put in front when given. */
  context?: { path: string; symbol?: string };
  /** Leave out tool pragmas, and the `wiringLines` unless the chunk has nothing else. */
  stripBoilerplate: boolean;
  /** 1-based lines of the file that only wire it to others (imports, includes: `CodeOutline.wiringLines`). */
  wiringLines?: ReadonlySet<number>;
  /** Cut compound identifiers into words (for tokenizers that lower-case, see `ChunkTokenizer.lowercases`). */
  splitWords: boolean;
}

/** Comments addressed to tools (bundlers, linters, coverage, type checkers), not to readers. */
const PRAGMA_COMMENT =
  /\/\*\s*[#@]__[A-Z_]+__\s*\*\/|\/\*\s*(?:istanbul|c8|eslint(?:-[\w-]+)?|prettier-ignore|webpack\w*)\b[^*]*\*\/|\/\/\s*(?:eslint-[\w-]+|@ts-(?:ignore|expect-error|nocheck)|prettier-ignore|istanbul|c8)\b.*$/gm;

/** The text the model embeds for a chunk whose first line is line `startLine` of its file. */
export function chunkModelInput(text: string, startLine: number, options: ChunkInputOptions): string {
  let body = text;
  if (options.stripBoilerplate) {
    const wiring = options.wiringLines;
    if (wiring && wiring.size > 0) {
      const kept = text.split('\n').filter((_, i) => !wiring.has(startLine + i));
      // A chunk that is all imports (an index file) is still better embedded as it is than as nothing.
      if (kept.some((line) => line.trim())) body = kept.join('\n');
    }
    body = body.replace(PRAGMA_COMMENT, '');
  }
  const context = options.context ? `${options.context.path}${options.context.symbol ? ` · ${options.context.symbol}` : ''}\n` : '';
  const input = context + body;
  return options.splitWords ? splitCompoundWords(input) : input;
}

/**
 * Whether compound words are cut for this model: when the settings ask (`ChunkSettings.splitWords`)
 * and its tokenizer lower-cases, since a cased tokenizer keeps camelCase boundaries by itself.
 * Chunks and queries both ask here, so they are always cut alike.
 */
export function cutsWords(splitWords: boolean | undefined, tokenizer: { lowercases: boolean }): boolean {
  return splitWords === true && tokenizer.lowercases;
}

/** The text the model embeds for a search query. */
export function queryModelInput(text: string, splitWords: boolean): string {
  return splitWords ? splitCompoundWords(text) : text;
}

/**
 * camelCase and PascalCase words cut apart: `getHeaderValue` → "get Header Value",
 * `XMLHttpRequest` → "XML Http Request". snake_case needs nothing: BERT-style tokenizers already
 * split at punctuation.
 */
export function splitCompoundWords(text: string): string {
  return text.replace(/(\p{Ll}|\p{N})(?=\p{Lu})/gu, '$1 ').replace(/(\p{Lu})(?=\p{Lu}\p{Ll})/gu, '$1 ');
}
