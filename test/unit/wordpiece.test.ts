/**
 * Our WordPiece (src/core/embed/wordpiece.ts) against transformers.js on the same tokenizer.json: the
 * ids must be the same everywhere, on this repository's files, the fixtures, and text built to reach
 * every branch (Unicode of every kind, control characters, added tokens, long words, nothing at all).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { before, test } from 'node:test';
import { decodeText } from '../../src/core/text/decode';
import { loadTokenizer, loadTransformersTokenizer, loadWordPiece, wrapTokenizer } from '../../src/core/embed/tokenizer';
import type { WordPiece } from '../../src/core/embed/wordpiece';
import { FIXTURES, MODEL_DIR, ROOT } from '../helpers';

type Reference = Awaited<ReturnType<typeof loadTransformersTokenizer>>;
let ours: WordPiece;
let reference: Reference;

before(async () => {
  const loaded = await loadWordPiece(MODEL_DIR);
  assert.ok(loaded, "the bundled MiniLM's tokenizer.json is one WordPiece reproduces");
  ours = loaded;
  reference = await loadTransformersTokenizer(MODEL_DIR);
});

function assertSame(text: string, where: string): void {
  for (const add_special_tokens of [false, true]) {
    const expected = reference.encode(text, { add_special_tokens });
    const actual = ours.encode(text, { add_special_tokens });
    if (actual.length === expected.length && actual.every((id, i) => id === expected[i])) continue;
    const at = actual.findIndex((id, i) => id !== expected[i]);
    assert.fail(`${where}: ids differ at ${at} (${JSON.stringify(text.slice(0, 120))}): ${actual.slice(at, at + 8).join(' ')} ≠ ${expected.slice(at, at + 8).join(' ')}`);
  }
}

function textFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...textFiles(path));
    else if (entry.isFile() && !['.png', '.pdf', '.docx', '.bin', '.onnx'].includes(extname(entry.name))) files.push(path);
  }
  return files;
}

test("this repository's sources, tests and fixtures: whole files and line by line", () => {
  const files = ['src', 'test', 'bench', 'scripts'].flatMap((dir) => textFiles(join(ROOT, dir))).filter((f) => !f.includes(`${join('bench', '.cache')}`));
  assert.ok(files.length > 100, `found ${files.length} files`);
  assert.ok(files.some((f) => f.startsWith(FIXTURES)));
  for (const file of files) {
    const decoded = decodeText(readFileSync(file));
    if (decoded.kind === 'binary') continue;
    assertSame(decoded.text, file);
    decoded.text.split('\n').forEach((line, i) => assertSame(line, `${file}:${i + 1}`));
  }
});

test('Unicode: accents, CJK, emoji, RTL, zero-width and control characters, odd whitespace', () => {
  const cases = [
    'Crème brûlée à la française, naïve café, Ångström, Øresund, Łódź, İstanbul, straße',
    'e\u0301 (combining acute) against é (precomposed); ﬁ ligature; Ⅷ ① ǅ ΐ',
    'ΟΔΥΣΣΕΥΣ and ΣΊΣΥΦΟΣ, final sigma: ΑΣ ΑΣ. ΑΣ.Β Σ',
    '中文分词测试，汉字与English混合。㐀 豈 𠀀𠀁 (astral CJK)',
    '日本語のテキスト：ひらがな、カタカナ、漢字。한국어 텍스트 ᄀ',
    'emoji 😀👍🏽 family 👨‍👩‍👧 flag 🇫🇷 keycap 1️⃣ inside😀words',
    'עברית וערבית: مرحبا بالعالم \u200Fשלום\u200E mixed \u202Eevil\u202C',
    'zero\u200Bwidth\u200Cjoin\u200Dand\uFEFFbom\u2060word \u00ADsoft hyphen',
    'tab\there\nnew\rline\u000Bvertical\u000Cform\u001Cfile\u0085next\u0000nul\u007Fdel\u0001ctl',
    'nbsp\u00A0ideographic\u3000space\u2028line\u2029para\u2003em\u202Fnarrow',
    'replacement \uFFFD char, private use \uE000\uF8FF, lone surrogates \uD800x\uDC00y',
    'hindi हिन्दी, thai ภาษาไทย, devanagari ि, arabic digits ١٢٣, ethiopic ሰላም',
    '«quotes» „German“ ‘single’ — dashes – … ellipsis ¿question? ¡exclamation!',
  ];
  for (const text of cases) {
    assertSame(text, 'unicode');
    for (const word of text.split(' ')) assertSame(word, 'unicode word');
  }
});

test('added tokens in the text, very long words, empty and blank strings', () => {
  const cases = [
    '',
    ' ',
    '\n\n\t ',
    '\u0000\u0001',
    '[CLS] [SEP] [UNK] [MASK] [PAD] typed in a file',
    'glued[SEP]words[CLS]and [SE P] and [[SEP]] and [sep]',
    'Σ[SEP]Σ é[CLS]é',
    'x'.repeat(100),
    'x'.repeat(101),
    'é'.repeat(100),
    'é'.repeat(101),
    `${'ab'.repeat(60)} then ${'supercalifragilistic'.repeat(4)}`,
    'a'.repeat(5000),
    `${'word '.repeat(2000)}`,
    'antidisestablishmentarianism unbelievably XMLHttpRequest getElementById snake_case_name',
    '0x1F600 3.14159 1e-10 https://example.com/a?b=c&d=e#f user@example.com',
    '😀'.repeat(120),
  ];
  for (const text of cases) assertSame(text, 'edge');
});

test('the chunk tokenizer the engine loads gives the same model input as transformers.js, cut to the same length', async () => {
  const fast = await loadTokenizer(MODEL_DIR);
  const slow = wrapTokenizer(reference);
  assert.equal(fast.specialTokenCount, slow.specialTokenCount);
  assert.equal(fast.lowercases, slow.lowercases);
  const text = readFileSync(join(ROOT, 'src', 'core', 'embed', 'wordpiece.ts'), 'utf8');
  for (const max of [2, 3, 16, 128, 256, 100_000]) {
    for (const sample of [text, text.slice(0, 300), 'short', '', 'é'.repeat(400), `${'word '.repeat(200)}😀 end`]) {
      assert.deepEqual(fast.encodeForModel(sample, max), slow.encodeForModel(sample, max), `max ${max}`);
      assert.deepEqual(fast.encodeNoSpecial(sample), slow.encodeNoSpecial(sample));
    }
  }
});
