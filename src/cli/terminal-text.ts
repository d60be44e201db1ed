/**
 * Text from a repository's files, made safe to print on a terminal. A snippet or a file name may hold
 * escape sequences (`ESC]0;…BEL` retitles the terminal, `ESC[2J` clears it, OSC 52 writes the
 * clipboard) or bidi overrides that make printed text read differently from what it is. They are shown
 * as visible escapes instead, as git and less do: C0 controls and DEL in caret notation (`^[`, `^?`),
 * C1 controls, bidi controls and lone surrogates as `<U+XXXX>`, but a file name's byte that is not
 * UTF-8 (escaped as U+F780–U+F7FF, files/names.ts) as `\xff`. Tabs and newlines stay (when
 * `keepNewlines`). `--json` output goes through `jsonText` instead: the same characters as `\uXXXX`
 * escapes, so what a parser reads back is exact and what a terminal shows is inert.
 */

// C0 (but tab and newline, handled below), DEL, C1, the bidi embeddings/overrides/isolates and marks,
// line/paragraph separators, and lone surrogates (invalid UTF-16, which terminals render unpredictably).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\uf780-\uf7ff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function terminalSafe(text: string, options: { keepNewlines?: boolean } = {}): string {
  return text.replace(UNSAFE, (ch) => {
    if (ch === '\n' && options.keepNewlines) return ch;
    const code = ch.charCodeAt(0);
    if (code < 0x20) return '^' + String.fromCharCode(code + 0x40);
    if (code === 0x7f) return '^?';
    if (code >= 0xf780 && code <= 0xf7ff) return `\\x${(code - 0xf700).toString(16).padStart(2, '0')}`;
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

// What JSON.stringify leaves raw and a terminal may act on or reorder: DEL, C1 (U+009B is a one-byte
// CSI), the bidi marks, embeddings, overrides and isolates, line/paragraph separators. (It escapes C0
// and lone surrogates itself; the only raw C0 left is the indentation's newlines, outside strings.)
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for `--json`: JSON.stringify's, with every character above written as a `\uXXXX` escape.
 * Outside strings JSON is ASCII, so each such character is inside a string, where the escape means
 * the same character: `JSON.parse` gives back exactly the value.
 */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
