/**
 * What crosses between the extract pool (pool/pools.ts, through pool/child-pool.ts) and the extract
 * process (src/workers/extract-process.ts, extract-worker.ts): one task per message, one reply.
 */
import type { DocumentKind, ExtractedDocument, ExtractLimits } from '../extract/kinds';

export interface ExtractTask {
  kind: DocumentKind;
  bytes: Uint8Array;
  limits: ExtractLimits;
}

/** The document, or the error's message (meant for the user). */
export type ExtractReply = { value: ExtractedDocument } | { error: string };
