/**
 * Extract worker: text from PDF and DOCX, which pdf.js and mammoth compute on the CPU.
 * Errors cross back as ExtractionError messages the caller shows to the user.
 */
import { extractDocument } from '../core/extract/documents';
import type { DocumentKind, ExtractedDocument, ExtractLimits } from '../core/extract/kinds';
import { crashIfMarked } from './test-crash-hook';

export interface ExtractTask {
  kind: DocumentKind;
  bytes: Uint8Array;
  limits: ExtractLimits;
}

export async function extract(task: ExtractTask): Promise<ExtractedDocument> {
  crashIfMarked(task.bytes);
  return extractDocument(task.kind, task.bytes, task.limits);
}
