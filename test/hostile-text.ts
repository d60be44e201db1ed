/** What a hostile file may hold for a terminal (test/unit and test/system terminal-text.test.ts). */
export const ESC = '\x1b';
export const BEL = '\x07';
// What a hostile file holds: a new window title, a clear screen, a clipboard write (OSC 52), a C1 CSI,
// a bidi override that reverses what follows.
export const TITLE = `${ESC}]0;pwned${BEL}`;
export const CLEAR = `${ESC}[2J`;
export const CLIPBOARD = `${ESC}]52;c;ZWNobyBoaQ==${BEL}`;
export const HOSTILE = `Deploying the lighthouse keeper robot ${TITLE}${CLEAR}${CLIPBOARD} with \u009b31m and \u202Etxt.exe\n`;

/** Any character a terminal acts on rather than shows (tab and newline excepted). */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
