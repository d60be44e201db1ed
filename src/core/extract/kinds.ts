/**
 * What kinds of documents Quipu extracts, and the shape of what comes out. Kept apart from the
 * extractors (pdf.js, mammoth) so the main thread can ask "is this a PDF?" without loading them.
 */
export type DocumentKind = 'pdf' | 'docx';

export interface PageStart {
  /** 1-based page number. */
  page: number;
  /** 1-based line of the extracted text where the page begins. */
  startLine: number;
}

export interface ExtractedDocument {
  text: string;
  /** PDF only: where each page begins. */
  pages?: PageStart[];
}

/** Bounds on what one document may cost (config `limits`; see extract/inflate-guard.ts). */
export interface ExtractLimits {
  /** What a document's compressed parts (zip entries, Flate streams) may inflate to, in all. */
  maxInflatedBytes: number;
  /** Longest extracted text kept; a longer one is refused. */
  maxExtractedChars: number;
}

export function documentKindOf(path: string): DocumentKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.pdf')) return 'pdf';
  if (lower.endsWith('.docx')) return 'docx';
  return undefined;
}
