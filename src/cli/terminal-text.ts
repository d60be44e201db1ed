/**
 * Text from a repository's files, made safe to print on a terminal. A snippet or a file name may hold
 * escape sequences (`ESC]0;…BEL` retitles the terminal, `ESC[2J` clears it, OSC 52 writes the
 * clipboard) or bidi overrides that make printed text read differently from what it is. They are shown
 * as visible escapes instead, as git and less do: C0 controls and DEL in caret notation (`^[`, `^?`),
 * C1 controls, bidi controls and lone surrogates as `<U+XXXX>`, but a file name's byte that is not
 * UTF-8 (escaped as U+F780–U+F7FF, files/names.ts) as `\xff`. Tabs and newlines stay (when
 * `keepNewlines`). `--json` output never goes through here: it stays exact.
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
