/**
 * Extract worker: text from PDF and DOCX, which pdf.js and mammoth compute on the CPU.
 * Errors cross back as ExtractionError messages the caller shows to the user.
 */
import { extractDocument } from '../core/extract/documents';
import type { ExtractedDocument } from '../core/extract/kinds';
import type { ExtractTask } from '../core/pool/extract-protocol';
import { crashIfMarked } from './test-crash-hook';

export async function extract(task: ExtractTask): Promise<ExtractedDocument> {
  crashIfMarked(task.bytes);
  return extractDocument(task.kind, task.bytes, task.limits);
}
