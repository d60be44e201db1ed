/**
 * Extract worker: text from PDF and DOCX, which pdf.js and mammoth compute on the CPU.
 * Errors cross back as ExtractionError messages the caller shows to the user.
 */
import { extractDocument } from '../core/extract/documents';
import type { DocumentKind, ExtractedDocument } from '../core/extract/kinds';

export interface ExtractTask {
  kind: DocumentKind;
  bytes: Uint8Array;
}

export async function extract(task: ExtractTask): Promise<ExtractedDocument> {
  return extractDocument(task.kind, task.bytes);
}
