/**
 * File names that are not valid UTF-8, kept openable. Linux names are bytes; Node decodes them as
 * UTF-8 and turns a stray byte into U+FFFD, after which the file cannot be opened by that name. So
 * names are decoded losslessly instead: each byte that is not part of valid UTF-8 becomes the
 * private-use character U+F700 + byte (U+F780–U+F7FF). The string stays well-formed Unicode, so it
 * goes through JSON, protobuf and the webview unchanged (Python's lone surrogates would not).
 * A real U+F780–U+F7FF in a name is escaped the same way, byte by byte, so every character in that
 * range stands for one byte and the mapping is a bijection: two names never share a string. The
 * string is turned back into the same bytes only where it meets the file system.
 */
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xf700;
const ESCAPED = /[\uF780-\uF7FF]/;

/** A name as the file system gives it (bytes) → the engine's string, losslessly. */
export function decodeName(bytes: Buffer): string {
  if (isUtf8(bytes) && !holdsEscapeRange(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    const text = length === 0 ? '' : bytes.toString('utf8', i, i + length);
    if (length === 0 || ESCAPED.test(text)) {
      for (let k = 0; k < Math.max(length, 1); k++) out += String.fromCharCode(ESCAPE_BASE + bytes[i + k]);
      i += Math.max(length, 1);
    } else {
      out += text;
      i += length;
    }
  }
  return out;
}

/**
 * A path for `fs` calls: the string itself, or its original bytes when it holds escaped ones.
 * Only names that came from `decodeName` hold them.
 */
export function fsPath(path: string): string | Buffer {
  if (!ESCAPED.test(path)) return path;
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of path) {
    if (!ESCAPED.test(ch)) {
      run += ch;
      continue;
    }
    if (run) parts.push(Buffer.from(run, 'utf8'));
    run = '';
    parts.push(Buffer.of(ch.charCodeAt(0) - ESCAPE_BASE));
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** Whether a name holds U+F780–U+F7FF as UTF-8 (EF 9E 80 – EF 9F BF), which must be escaped too. */
function holdsEscapeRange(bytes: Buffer): boolean {
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 1 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0x9e || bytes[i + 1] === 0x9f) return true;
  }
  return false;
}

/** Length of the valid UTF-8 sequence at `i` (1–4), or 0 when the byte there starts none. */
function sequenceLength(bytes: Buffer, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const [length, min2, max2] = b0 >= 0xc2 && b0 <= 0xdf ? [2, 0x80, 0xbf]
    : b0 === 0xe0 ? [3, 0xa0, 0xbf]
      : b0 === 0xed ? [3, 0x80, 0x9f] // no encoded surrogates
        : b0 >= 0xe1 && b0 <= 0xef ? [3, 0x80, 0xbf]
          : b0 === 0xf0 ? [4, 0x90, 0xbf]
            : b0 >= 0xf1 && b0 <= 0xf3 ? [4, 0x80, 0xbf]
              : b0 === 0xf4 ? [4, 0x80, 0x8f]
                : [0, 0, 0];
  if (length === 0 || i + length > bytes.length) return 0;
  if (bytes[i + 1] < min2 || bytes[i + 1] > max2) return 0;
  for (let k = 2; k < length; k++) if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return 0;
  return length;
}
