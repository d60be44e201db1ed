/**
 * Decompression bombs, made by the test itself (nothing large is checked in): a DOCX whose
 * `word/document.xml` inflates to `inflatedBytes` from a zip of ~1 MB per GB, and a PDF with one
 * Flate content stream as large. Both are valid enough that mammoth and pdf.js would start inflating.
 */
import { writeFileSync } from 'node:fs';
import { constants, crc32, deflateRawSync } from 'node:zlib';

const BLOCK = 1024 * 1024;

/**
 * Deflates `total` bytes made of one repeated block, never holding them: one 16 MB unit is deflated
 * once with a sync flush (byte-aligned, not final) and its output repeated, since a raw deflate
 * stream is just a sequence of blocks; the remainder ends the stream. ~1 MB per GB.
 */
function deflateRepeated(block: Buffer, total: number, raw: boolean, prefix = Buffer.alloc(0), suffix = Buffer.alloc(0)): { data: Buffer; crc: number; size: number } {
  const unit = Buffer.concat(Array.from({ length: 16 }, () => block));
  const unitDeflated = deflateRawSync(unit, { level: 9, finishFlush: constants.Z_SYNC_FLUSH });
  const parts: Buffer[] = raw ? [] : [Buffer.from([0x78, 0x9c])];
  parts.push(deflateRawSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH }));
  let crc = crc32(prefix);
  let written = prefix.length;
  while (written + unit.length < total) {
    parts.push(unitDeflated);
    crc = crc32(unit, crc);
    written += unit.length;
  }
  // Whole blocks only, so the XML stays well formed; then the suffix ends the stream.
  const rest = unit.subarray(0, Math.floor((total - written) / block.length) * block.length);
  const tail = Buffer.concat([rest, suffix]);
  parts.push(deflateRawSync(tail, { level: 9 }));
  crc = crc32(tail, crc);
  // zlib's trailer (Adler-32) is left as zeros: pdf.js does not check it, and Node's zlib reports the
  // mismatch only after producing every byte (which the guard counts).
  if (!raw) parts.push(Buffer.alloc(4));
  return { data: Buffer.concat(parts), crc, size: written + tail.length };
}

function dosTime(): [number, number] {
  return [0, (1 << 5) | 1]; // 1980-01-01
}

/** A zip of the given entries (name, deflated data, crc, inflated size, listed inflated size). */
function zip(entries: { name: string; data: Buffer; crc: number; size: number; listedSize?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const [time, date] = dosTime();
    const listed = e.listedSize ?? e.size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(e.crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(Math.min(listed, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(e.crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(Math.min(listed, 0xfffffffe), 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function small(name: string, text: string) {
  const data = Buffer.from(text);
  return { name, data: deflateRawSync(data), crc: crc32(data), size: data.length };
}

/**
 * A DOCX whose document.xml inflates to `inflatedBytes`. `lying`: the zip's directory says 10 KB, so
 * only inflating finds out.
 */
export function writeDocxBomb(path: string, inflatedBytes: number, options: { lying?: boolean } = {}): void {
  // Paragraphs repeated: an XML parser would build a node for every one of them.
  const para = `<w:p><w:r><w:t>${'bomb '.repeat(2000)}</w:t></w:r></w:p>`;
  const open = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
  const close = '</w:body></w:document>';
  // The paragraphs fill the space between the opening and the closing tags.
  const block = Buffer.from(para.repeat(Math.floor(BLOCK / para.length)));
  const doc = deflateRepeated(block, inflatedBytes - close.length, true, Buffer.from(open), Buffer.from(close));
  const entries = [
    small('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
    small('_rels/.rels', '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
    { name: 'word/document.xml', data: doc.data, crc: doc.crc, size: doc.size, listedSize: options.lying ? 10_240 : doc.size },
  ];
  writeFileSync(path, zip(entries));
}

/** A one-page PDF whose content stream (Flate) inflates to `inflatedBytes` of drawing operators. */
export function writePdfBomb(path: string, inflatedBytes: number): void {
  const ops = `%${' '.repeat(4000)}\n`;
  const content = deflateRepeated(Buffer.from(ops.repeat(Math.floor(BLOCK / ops.length))), inflatedBytes, false).data;
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>'),
    Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')]),
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n')];
  const offsets: number[] = [];
  let size = parts[0].length;
  objects.forEach((body, i) => {
    offsets.push(size);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), body, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    size += obj.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  writeFileSync(path, Buffer.concat(parts));
}
