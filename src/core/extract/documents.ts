/**
 * Text out of PDF (pdf-parse 2.x, pdf.js) and DOCX (mammoth). CPU-heavy: runs in the extract worker.
 * Each page of a PDF starts on a new line of the extracted text; `pages` maps lines back to pages,
 * so a result can name the page it came from.
 */
import mammoth from 'mammoth';
import { PDFParse } from 'pdf-parse';
import { normalizeText } from '../text/decode';
import { pdfBombReason, zipBombReason } from './inflate-guard';
import type { DocumentKind, ExtractedDocument, ExtractLimits, PageStart } from './kinds';

/** Thrown for documents that cannot be read; the message is meant for the user. */
export class ExtractionError extends Error {
  override name = 'ExtractionError';
}

export async function extractDocument(kind: DocumentKind, bytes: Uint8Array, limits?: ExtractLimits): Promise<ExtractedDocument> {
  if (bytes.length === 0) throw new ExtractionError(`empty ${kind.toUpperCase()} file`);
  const doc = kind === 'pdf' ? await extractPdf(bytes, limits) : await extractDocx(bytes, limits);
  if (limits && doc.text.length > limits.maxExtractedChars) {
    throw new ExtractionError(`its text is longer than ${limits.maxExtractedChars.toLocaleString('en-US')} characters (quipu.maxExtractedChars)`);
  }
  return doc;
}

async function extractPdf(bytes: Uint8Array, limits?: ExtractLimits): Promise<ExtractedDocument> {
  if (!startsWith(bytes, '%PDF-')) throw new ExtractionError('not a PDF file (no %PDF- header)');
  const bomb = limits && (await pdfBombReason(bytes, limits.maxInflatedBytes));
  if (bomb) throw new ExtractionError(`PDF refused: ${bomb}`);
  const parser = new PDFParse({ data: bytes, verbosity: 0 });
  try {
    const result = await parser.getText();
    const lines: string[] = [];
    const pages: PageStart[] = [];
    for (const page of result.pages) {
      pages.push({ page: page.num, startLine: lines.length + 1 });
      lines.push(...normalizeText(page.text).replace(/\n{3,}/g, '\n\n').split('\n'));
    }
    return { text: lines.join('\n'), pages };
  } catch (error) {
    throw new ExtractionError(`unreadable PDF: ${messageOf(error)}`);
  } finally {
    await parser.destroy().catch(() => undefined);
  }
}

async function extractDocx(bytes: Uint8Array, limits?: ExtractLimits): Promise<ExtractedDocument> {
  if (!startsWith(bytes, 'PK')) throw new ExtractionError('not a DOCX file (not a zip archive)');
  const bomb = limits && (await zipBombReason(bytes, limits.maxInflatedBytes));
  if (bomb) throw new ExtractionError(`DOCX refused: ${bomb}`);
  try {
    const result = await mammoth.extractRawText({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
    // mammoth ends every paragraph with a blank line; one line per paragraph reads better.
    return { text: normalizeText(result.value).replace(/\n{3,}/g, '\n\n') };
  } catch (error) {
    throw new ExtractionError(`unreadable DOCX: ${messageOf(error)}`);
  }
}

function startsWith(bytes: Uint8Array, magic: string): boolean {
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic.charCodeAt(i)) return false;
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
