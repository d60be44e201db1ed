/** Types for fetch-code-bench.mjs. */
export const CODE_DIR: string;
/** The benchmark's repository files (bench/code/*.json), sorted. */
export function codeBenchFiles(): string[];
export function describeSource(source: unknown): string;
/** Fetches one repository's pinned source; returns the folder to index. Throws naming the file, package and version. */
export function fetchCodeCorpus(file: string): Promise<string>;
