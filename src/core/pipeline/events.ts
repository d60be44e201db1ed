/** What an indexing run reports while it works, and what it returns when it ends. */
import type { DefaultExclusion } from '../files/default-exclusions';
import type { Tier } from '../store/types';

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface IndexProgress {
  /** Files found so far (discovery may still be running). */
  filesSeen: number;
  discoveryDone: boolean;
  /** Files that need work (new or changed) found so far, and how many of them are done. */
  filesToIndex: number;
  filesIndexed: number;
  filesUnchanged: number;
  filesSkipped: number;
  chunksEmbedded: number;
  /** Chunks whose vector was reused (identical text seen before) instead of embedded. */
  chunksReused: number;
  chunksPerSecond: number;
  /** Seconds left, once there is a rate to go by. */
  etaSeconds: number | undefined;
  currentFile: string | undefined;
  elapsedSeconds: number;
  /** The tier this pass computes: `fast` (words and static vectors), `deep` (the transformer). */
  tier: Tier;
}

export type IndexEvent =
  | { type: 'start'; folder: string; indexDir: string; tier: Tier; rebuildReason?: string; repairReason?: string; /** The index lock a crash left was taken over. */ lockNote?: string }
  | { type: 'progress'; progress: IndexProgress }
  | { type: 'skip'; file: SkippedFile }
  | { type: 'commit'; files: number; chunks: number }
  | { type: 'done'; summary: IndexSummary };

export interface IndexSummary {
  folder: string;
  indexDir: string;
  filesSeen: number;
  /** New or changed files (re)indexed in this run. */
  filesIndexed: number;
  filesUnchanged: number;
  filesRemoved: number;
  skipped: SkippedFile[];
  /** Chunks this run embedded (in a run of both tiers: by the transformer, the deep pass). */
  chunksEmbedded: number;
  /** Chunks whose vector was found rather than computed: stored, cached, or a copy in this run (both tiers: by the fast pass). */
  chunksReused: number;
  /** Chunks in the index after the run. */
  chunksTotal: number;
  /** Bytes of source read and indexed in this run. */
  sourceBytes: number;
  seconds: number;
  chunksPerSecond: number;
  cancelled: boolean;
  /** Set when the old index was discarded (model or chunk settings changed). */
  rebuildReason?: string;
  /** Set when a search had found an index file damaged and this run repaired it first (verify --repair). */
  repairReason?: string;
  /** Build output folders (`build/`, `dist/`, `out/`, `target/`) the default excludes kept out of a full walk; absent when none. */
  excludedByDefault?: DefaultExclusion[];
  /** The tier of this pass (the run's last pass, in a run of several). */
  tier: Tier;
  /** Chunks of each tier in the index after the run. */
  tierCounts: { fast: number; deep: number };
  /** A run of several passes (fast, then deep): each pass's own summary, in order. */
  passes?: IndexSummary[];
}
