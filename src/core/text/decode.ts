/**
 * Bytes → text for plain-text files: BOM-aware (UTF-8, UTF-16 LE/BE), with binary detection.
 * Pure functions; cheap enough for the main thread (TextDecoder is native).
 */

export type DecodeResult = { kind: 'text'; text: string } | { kind: 'binary' };

const SNIFF_BYTES = 8000; // git looks at the first 8000 bytes for a NUL too

export function decodeText(bytes: Uint8Array): DecodeResult {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { kind: 'text', text: new TextDecoder('utf-8').decode(bytes.subarray(3)) };
  }
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return { kind: 'text', text: new TextDecoder('utf-16le').decode(bytes.subarray(2)) };
  }
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    return { kind: 'text', text: new TextDecoder('utf-16be').decode(bytes.subarray(2)) };
  }
  const utf16 = sniffBomlessUtf16(bytes);
  if (utf16) return { kind: 'text', text: new TextDecoder(utf16).decode(bytes) };
  if (looksBinary(bytes)) return { kind: 'binary' };
  // Invalid UTF-8 sequences become U+FFFD rather than failing: a Latin-1 file stays searchable.
  return { kind: 'text', text: new TextDecoder('utf-8').decode(bytes) };
}

/** A NUL byte, or many control characters, in the first 8000 bytes mean binary. */
export function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, SNIFF_BYTES);
  let control = 0;
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 7 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return end > 0 && control / end > 0.1;
}

/** UTF-16 without a BOM: ASCII text shows as every other byte being NUL. */
function sniffBomlessUtf16(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const end = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (end < 16) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < end; i += 2) {
    if (bytes[i] === 0) evenNul++;
    if (bytes[i + 1] === 0) oddNul++;
  }
  const pairs = end / 2;
  if (oddNul / pairs > 0.4 && evenNul / pairs < 0.05) return 'utf-16le';
  if (evenNul / pairs > 0.4 && oddNul / pairs < 0.05) return 'utf-16be';
  return undefined;
}

/**
 * Normalises text so that line numbers match what an editor shows: CRLF and lone CR become LF,
 * a leading BOM goes, trailing whitespace on each line goes, NULs and form feeds become spaces.
 * Indentation is kept: it carries meaning in code.
 */
export function normalizeText(text: string): string {
  let out = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  out = out.replace(/\r\n?/g, '\n');
  // eslint-disable-next-line no-control-regex -- NUL, form feed and vertical tab are exactly what goes
  out = out.replace(/[\u0000\f\v]/g, ' ');
  out = out.replace(/[ \t\u00a0]+$/gm, '');
  return out;
}

const LETTER = /\p{L}/u;
/** Texts shorter than this are always indexed: too little to judge, and cheap to embed. */
const MACHINE_TEXT_MIN_CHARS = 1024;
/** Minified or generated: lines this long on average… */
const MINIFIED_MEAN_LINE = 500;
/** …with this few spaces (prose written a paragraph per line has 13% and more; minified code 2–6%)… */
const MINIFIED_MAX_SPACE_SHARE = 0.1;
/** …and this many ASCII symbols among the visible characters (minified code and SVG 20–40%; prose in scripts without spaces, such as Chinese, a few %). */
const MINIFIED_MIN_SYMBOL_SHARE = 0.15;
/** Data: this small a share of letters among the visible characters (numeric JSON 2%, SVG paths 6–11%; code and prose 50% and more). */
const DATA_MAX_LETTER_SHARE = 0.2;

/**
 * Why a decoded text file is not worth embedding, if it is not: minified or generated code (a few
 * enormous lines) and data (numbers, coordinates, vectors) mean nothing to a sentence-embedding model,
 * cost as much to embed as real text, and crowd real results out. `undefined` for everything else.
 */
export function machineTextReason(text: string): string | undefined {
  if (text.length < MACHINE_TEXT_MIN_CHARS) return undefined;
  let lines = 1;
  let spaces = 0;
  let visible = 0;
  let letters = 0;
  let symbols = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) lines++;
    else if (code === 32) spaces++;
    else if (code === 9 || code === 13) continue;
    else {
      visible++;
      // ASCII letters directly; beyond ASCII, ask Unicode (accented and non-Latin scripts are letters).
      if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code > 127 && LETTER.test(text[i]))) letters++;
      else if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64) || (code >= 91 && code <= 96) || (code >= 123 && code <= 126)) symbols++;
    }
  }
  const meanLine = text.length / lines;
  if (meanLine > MINIFIED_MEAN_LINE && spaces / text.length < MINIFIED_MAX_SPACE_SHARE && symbols / Math.max(1, visible) > MINIFIED_MIN_SYMBOL_SHARE) {
    return `minified or generated (lines of ${Math.round(meanLine)} characters on average)`;
  }
  if (visible > 0 && letters / visible < DATA_MAX_LETTER_SHARE) return `data, not text (${Math.round((100 * letters) / visible)}% letters)`;
  return undefined;
}
