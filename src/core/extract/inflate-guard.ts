/**
 * Decompression bombs, refused before a parser inflates them. A 1.5 MB DOCX whose `word/document.xml`
 * inflates to 1.5 GB took the indexer to 3.4 GB of RSS inside mammoth (jszip); a PDF's Flate stream
 * can do the same inside pdf.js, whose decoded buffers live outside the V8 heap, so a worker's heap
 * cap alone does not stop them. Both checks inflate with Node's zlib into a counter (16 KB at a time,
 * nothing kept) and stop as soon as the total passes the limit, so memory stays flat whatever the
 * archive claims.
 *
 * Each returns why the document is refused, or undefined when it is within the limit.
 */
import { createInflate, createInflateRaw, inflateSync } from 'node:zlib';

/** Bytes a zlib stream inflates to, counting at most `budget + 1` (then it stops). */
function inflatedSize(data: Uint8Array, raw: boolean, budget: number): Promise<number> {
  return new Promise((resolve) => {
    const inflater = raw ? createInflateRaw() : createInflate();
    let total = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      resolve(total);
    };
    inflater.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > budget) done();
    });
    // A damaged stream counts what it gave before the damage (a parser may be as lenient).
    inflater.on('error', done);
    inflater.on('end', done);
    inflater.on('close', done);
    inflater.end(data);
  });
}

function mb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

// --- ZIP (DOCX) -------------------------------------------------------------------------------

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** The entries as the central directory lists them (what jszip reads), zip64 sizes included. */
function zipEntries(bytes: Uint8Array): ZipEntry[] | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'not a zip archive (no central directory)';
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && view.getUint32(eocd - 20, true) === 0x07064b50) {
    const zip64 = Number(view.getBigUint64(eocd - 12, true));
    if (zip64 + 56 > bytes.length || view.getUint32(zip64, true) !== 0x06064b50) return 'damaged zip64 directory';
    count = Number(view.getBigUint64(zip64 + 32, true));
    offset = Number(view.getBigUint64(zip64 + 48, true));
  }
  const entries: ZipEntry[] = [];
  let p = offset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) return 'damaged zip central directory';
    const method = view.getUint16(p + 10, true);
    let compressedSize = view.getUint32(p + 20, true);
    let uncompressedSize = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localHeaderOffset = view.getUint32(p + 42, true);
    const name = Buffer.from(bytes.subarray(p + 46, p + 46 + nameLength)).toString('utf8');
    // zip64 extra field: the 8-byte values, in order, for each 32-bit field that is all ones.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength; ) {
      const id = view.getUint16(e, true);
      const size = view.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const next = () => {
          const value = q + 8 <= bytes.length ? Number(view.getBigUint64(q, true)) : Infinity;
          q += 8;
          return value;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + size;
    }
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * A ZIP (DOCX) whose entries, as listed and as they really inflate, stay within `maxBytes` in all.
 * The listed sizes are checked first (cheap: most bombs say what they are); a lying archive is caught
 * while inflating, since each entry is inflated into a counter bounded by what is left of the budget.
 */
export async function zipBombReason(bytes: Uint8Array, maxBytes: number): Promise<string | undefined> {
  const entries = zipEntries(bytes);
  // A damaged directory is the parser's to report (it gives a better message); nothing was inflated.
  if (typeof entries === 'string') return undefined;
  const listed = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  const limit = `the limit is ${mb(maxBytes)} (quipu.maxInflatedMB)`;
  if (listed > maxBytes) {
    const largest = entries.reduce((a, b) => (b.uncompressedSize > a.uncompressedSize ? b : a));
    return `inflates to ${mb(listed)} (${largest.name}: ${mb(largest.uncompressedSize)}); ${limit}`;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let total = 0;
  for (const entry of entries) {
    const local = entry.localHeaderOffset;
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) continue;
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, Math.min(bytes.length, start + entry.compressedSize));
    const size = entry.method === 8 ? await inflatedSize(data, true, maxBytes - total) : data.length;
    total += size;
    if (total > maxBytes) return `inflates to more than ${mb(maxBytes)} (${entry.name} is larger than its directory says); ${limit}`;
  }
  return undefined;
}

// --- PDF --------------------------------------------------------------------------------------

const STREAM = Buffer.from('stream');
const END_STREAM = Buffer.from('endstream');

/**
 * A PDF whose Flate streams inflate to at most `maxBytes` in all. Streams are found as pdf.js finds
 * them when its cross-reference table is broken (the `stream` keyword after a dictionary); a stream
 * Flate-encoded twice or more is inflated level by level, each level bounded.
 */
export async function pdfBombReason(bytes: Uint8Array, maxBytes: number): Promise<string | undefined> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = `the limit is ${mb(maxBytes)} (quipu.maxInflatedMB)`;
  let total = 0;
  for (let at = buffer.indexOf(STREAM); at >= 0; at = buffer.indexOf(STREAM, at + STREAM.length)) {
    if (at >= 3 && buffer.subarray(at - 3, at).toString('latin1') === 'end') continue; // "endstream"
    // The stream's dictionary: what lies between the previous object's end and the keyword.
    let dict = buffer.subarray(Math.max(0, at - 4096), at).toString('latin1');
    const previous = Math.max(dict.lastIndexOf('endobj'), dict.lastIndexOf('endstream'));
    if (previous >= 0) dict = dict.slice(previous + 6);
    const filters = (dict.match(/\/(FlateDecode|Fl)\b/g) ?? []).length;
    // Images are never decoded for their text (a scanned page inflates to ~25 MB of pixels).
    if (filters === 0 || /\/Subtype\s*\/Image\b/.test(dict)) continue;
    let start = at + STREAM.length;
    if (buffer[start] === 0x0d) start++;
    if (buffer[start] === 0x0a) start++;
    const end = buffer.indexOf(END_STREAM, start);
    let data: Uint8Array = buffer.subarray(start, end < 0 ? buffer.length : end);
    // Levels before the last are inflated for real (each bounded by the budget), the last counted.
    for (let level = 1; level < filters; level++) {
      try {
        data = inflateSync(data, { maxOutputLength: Math.max(1, maxBytes - total) });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return `a stream inflates to more than ${mb(maxBytes)}; ${limit}`;
        data = new Uint8Array(0);
        break;
      }
    }
    total += await inflatedSize(data, false, maxBytes - total);
    if (total > maxBytes) return `its streams inflate to more than ${mb(maxBytes)}; ${limit}`;
    if (end > 0) at = end;
  }
  return undefined;
}
