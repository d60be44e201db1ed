/** How the CLI shows progress and results: a progress bar on a terminal, plain lines otherwise. */
import type { PublishSummary } from '../core/store/publish';
import type { TeamStatus } from '../core/team/team';
import { SingleBar } from 'cli-progress';
import { join, relative } from 'node:path';
import type { IndexStatus } from '../core/engine/engine';
import { describeRuntime, type RuntimeInfo } from '../core/embed/runtime';
import { describeChunkKey } from '../core/config/config';
import type { DefaultExclusion } from '../core/files/default-exclusions';
import { formatBytes } from '../core/files/discover';
import type { IndexEvent, IndexSummary } from '../core/pipeline/events';
import { trimSnippet } from '../core/search/agent-text';
import type { SearchResult } from '../core/search/search';
import type { VerifyReport } from '../core/maintenance/verify';
import { describeTierCounts } from '../shared/tiers';
import { terminalSafe as safe } from './terminal-text';

/** Lines of each result's snippet a terminal shows. */
const CLI_SNIPPET_LINES = 6;

export interface IndexReporter {
  onEvent(event: IndexEvent): void;
  stop(): void;
}

export function createIndexReporter(options: { json: boolean; tty: boolean }): IndexReporter {
  const err = process.stderr;
  let bar: SingleBar | undefined;
  let lastLine = 0;
  let passes = 0;
  return {
    onEvent(event) {
      switch (event.type) {
        case 'start':
          if (event.rebuildReason) err.write(`Rebuilding the index: ${safe(event.rebuildReason)}.\n`);
          if (event.repairReason) err.write(`Repairing the index first: ${safe(event.repairReason)}.\n`);
          if (event.lockNote) err.write(`Note: ${safe(event.lockNote)}.\n`);
          if (options.json) break;
          if (event.tier === 'deep' && passes > 0) err.write('Deep tier: the transformer reads the chunks that have static vectors (searchable meanwhile; Ctrl-C keeps what is done)\n');
          else err.write(`Indexing ${safe(event.folder)}${event.tier === 'fast' ? ' (fast tier: words and static vectors)' : ''}\n  index: ${safe(event.indexDir)}\n`);
          passes++;
          break;
        case 'done':
          // The fast tier's end, when the deep tier follows: the folder is searchable from here on.
          if (!options.json && event.summary.tier === 'fast') {
            bar?.stop();
            bar = undefined;
            const { fast, deep } = event.summary.tierCounts;
            err.write(`  searchable now: ${fast + deep} chunks (${fast} fast, ${deep} deep) after ${event.summary.seconds.toFixed(1)} s\n`);
          }
          break;
        case 'skip':
          if (!options.json) {
            const line = `  skipped ${safe(event.file.path)}: ${safe(event.file.reason)}\n`;
            bar?.stop();
            bar = undefined;
            err.write(line);
          }
          break;
        case 'progress': {
          const p = event.progress;
          const total = Math.max(p.filesToIndex, 1);
          const payload = {
            chunks: p.chunksEmbedded,
            rate: p.chunksPerSecond.toFixed(1),
            eta: p.etaSeconds === undefined ? '…' : `${Math.ceil(p.etaSeconds)}s`,
            file: safe(truncate(p.currentFile ?? '', 40)),
            seen: p.filesSeen,
          };
          if (options.tty && !options.json) {
            if (!bar) {
              bar = new SingleBar({
                format: '  {bar} {value}/{total} files | {chunks} chunks | {rate} chunks/s | ETA {eta} | {file}',
                hideCursor: true,
                clearOnComplete: true,
                stream: err,
              });
              bar.start(total, p.filesIndexed, payload);
            }
            bar.setTotal(total);
            bar.update(p.filesIndexed, payload);
          } else if (!options.json && Date.now() - lastLine > 5000) {
            lastLine = Date.now();
            err.write(`  ${p.filesIndexed}/${p.filesToIndex} files, ${p.chunksEmbedded} chunks, ${payload.rate} chunks/s\n`);
          }
          break;
        }
        default:
          break;
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

export function printSummary(s: IndexSummary): void {
  const out = process.stdout;
  out.write(s.cancelled ? 'Indexing cancelled; everything finished so far is kept.\n' : 'Indexing done.\n');
  out.write(`  files seen       ${s.filesSeen}\n`);
  out.write(`  indexed          ${s.filesIndexed}\n`);
  out.write(`  unchanged        ${s.filesUnchanged}\n`);
  out.write(`  removed          ${s.filesRemoved}\n`);
  out.write(`  skipped          ${s.skipped.length}\n`);
  out.write(`  chunks embedded  ${s.chunksEmbedded} (${s.chunksReused} reused, ${s.chunksTotal} in the index)\n`);
  out.write(`  time             ${s.seconds.toFixed(1)} s, ${s.chunksPerSecond.toFixed(1)} chunks/s, ${(s.sourceBytes / 1024 / Math.max(s.seconds, 1e-9)).toFixed(1)} KB/s of source\n`);
  for (const pass of s.passes ?? []) out.write(`  ${`${pass.tier} tier`.padEnd(17)}${describePass(pass)}\n`);
  out.write(`  tiers            ${describeTiers(s.tierCounts)}\n`);
  const reasons = new Map<string, number>();
  for (const file of s.skipped) {
    const reason = file.reason.replace(/\(.*\)$/, '').trim();
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  for (const [reason, count] of reasons) out.write(`    ${count} × ${safe(reason)}\n`);
  const excluded = s.excludedByDefault ?? [];
  if (excluded.length > 0) {
    out.write(`  excluded by default: ${excluded.map(describeExclusion).join(', ')}\n`);
    const [{ pattern }] = excluded;
    out.write(`    (build output; to index ${pattern}, put "!${pattern}" and "!${pattern}**" in a .quipuignore)\n`);
  }
}

/** What one pass of a run did: `12 files, 340 chunks embedded (5 reused) in 1.2 s`. */
function describePass(p: IndexSummary): string {
  return `${p.filesIndexed} files, ${p.chunksEmbedded} chunks embedded (${p.chunksReused} reused) in ${p.seconds.toFixed(1)} s${p.cancelled ? ', stopped' : ''}`;
}

/** The index's chunks by tier, as every front end says it, and what the tiers are. */
function describeTiers(counts: { fast: number; deep: number }): string {
  const what = counts.fast === 0 ? "the transformer's vectors" : counts.deep === 0 ? "static vectors; the transformer's not yet" : "static vectors until the deep tier reaches them";
  return `${describeTierCounts(counts)} (${what})`;
}

/** `build/ (20 files)`, `dist/ (3 folders, 2,000+ files)`. */
function describeExclusion(e: DefaultExclusion): string {
  const files = `${e.files.toLocaleString('en-US')}${e.filesAtLeast ? '+' : ''} file${e.files === 1 && !e.filesAtLeast ? '' : 's'}`;
  return `${e.pattern} (${e.folders > 1 ? `${e.folders} folders, ` : ''}${files})`;
}

export function printStatus(folder: string, s: IndexStatus, embedding?: RuntimeInfo): void {
  const out = process.stdout;
  out.write(`Index of ${safe(folder)}\n`);
  out.write(`  index folder     ${safe(s.indexDir)}\n`);
  if (embedding) out.write(`  embedding        ${safe(describeRuntime(embedding))}\n`);
  if (s.staleReason) {
    out.write(`  needs a rebuild  ${safe(s.staleReason)}: run \`quipu index\` again\n`);
    return;
  }
  if (s.files === 0) {
    out.write(`  not indexed yet  run \`quipu index ${safe(folder)}\`\n`);
    return;
  }
  out.write(`  files            ${s.files}\n`);
  out.write(`  chunks           ${s.chunks}\n`);
  out.write(`  size on disk     ${formatBytes(s.diskBytes)}\n`);
  out.write(`  model            ${safe(s.modelId)}\n`);
  out.write(`  tiers            ${s.tiers}: ${describeTiers(s.tierCounts)}\n`);
  if (s.tierNote) out.write(`  note             ${safe(s.tierNote)}\n`);
  out.write(`  embedded         ${safe(s.embeddedBy)}\n`);
  out.write(`  chunk settings   ${safe(describeChunkKey(s.chunkSettings))}\n`);
  if (s.updatedAt) out.write(`  last update      ${new Date(s.updatedAt).toLocaleString()}\n`);
}

/**
 * Results as a terminal shows them: `path:start-end`, the path relative to the working directory (as
 * grep and ripgrep print them), so a terminal that opens `file:line` links finds the file wherever the
 * search was run from. (`--json` keeps paths relative to the indexed folder.)
 */
export function printSearchResults(query: string, results: SearchResult[], root: string): void {
  const out = process.stdout;
  if (results.length === 0) {
    out.write(`No results for "${safe(query)}".\n`);
    return;
  }
  for (const r of results) {
    const where = `${relative(process.cwd(), join(root, r.path))}:${r.startLine}-${r.endLine}${r.page ? ` (page ${r.page})` : ''}${r.symbol ? `  ${r.symbol}` : ''}`;
    out.write(`${safe(where)}  score ${r.score.toFixed(3)}\n`);
    // The lines that matched, numbered as in the file (the chunk's range is on the line above).
    const snippet = trimSnippet(r.snippet, r.snippetStartLine, CLI_SNIPPET_LINES);
    if (snippet) for (const line of snippet.split('\n')) out.write(`    ${safe(line)}\n`);
    out.write('\n');
  }
}

export function printVerify(result: { report: VerifyReport; before?: VerifyReport; summary?: IndexSummary }): void {
  const out = process.stdout;
  const describe = (r: VerifyReport, heading: string) => {
    out.write(`${heading} ${safe(r.folder)}\n  index folder     ${safe(r.indexDir)}\n`);
    if (r.notIndexedYet) return void out.write('  not indexed yet  run `quipu index` first\n');
    if (r.rebuildReason) return void out.write(`  must be rebuilt  ${safe(r.rebuildReason)}\n`);
    out.write(`  files            ${r.files} (${r.chunks} chunks)\n`);
    for (const d of r.damaged) out.write(`  damaged          ${safe(d.file)}: ${safe(d.problem)}\n`);
    const list = (label: string, paths: string[]) => {
      for (const path of paths.slice(0, 20)) out.write(`  ${label.padEnd(16)} ${safe(path)}\n`);
      if (paths.length > 20) out.write(`  ${label.padEnd(16)} … and ${paths.length - 20} more\n`);
    };
    list('changed on disk', r.stale);
    list('gone from disk', r.gone);
    list('not indexed', r.missing);
    if (r.notIndexed > 0) out.write(`  skipped          ${r.notIndexed} files on disk that the indexer skips (binary, empty, unreadable documents…)\n`);
    out.write(r.ok ? '  consistent       the index agrees with itself and the folder\n' : '');
  };
  if (result.before) {
    describe(result.before, 'Before repair:');
    if (result.summary) out.write(`Repaired: ${result.summary.filesIndexed} files indexed again, ${result.summary.filesRemoved} removed, ${result.summary.skipped.length} skipped.\n`);
  }
  describe(result.report, result.before ? 'After repair:' : 'Index of');
  if (!result.report.ok && !result.report.notIndexedYet) out.write(result.before ? '  still inconsistent: run `quipu index --rebuild`\n' : '  run `quipu verify --repair` to re-index what is wrong\n');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : '…' + text.slice(text.length - max + 1);
}

export function relativeTo(root: string, path: string): string {
  return relative(root, path) || '.';
}

/** What `quipu index --store` published. */
export function printPublish(p: PublishSummary, target: { url: string; collection: string }): void {
  const out = process.stdout;
  out.write(`Published to the team index ${safe(target.collection)} at ${safe(target.url)}: generation ${p.generation}${p.commit ? ` (commit ${safe(p.commit.slice(0, 12))})` : ''}\n`);
  out.write(`  ${p.filesUploaded} files uploaded (${p.chunksUploaded} chunks), ${p.filesRemoved} removed, ${p.filesUnchanged} already there, in ${(p.ms / 1000).toFixed(1)} s\n`);
}

/** `quipu status --store`: which team index searches use, how fresh it is, and the overlay. */
export function printTeamStatus(folder: string, s: TeamStatus): void {
  const out = process.stdout;
  out.write(`Searches of ${safe(folder)} use ${safe(s.description)}\n`);
  if (!s.available) out.write(`  not answering    ${safe(s.notice ?? 'the server does not answer')}\n`);
  else {
    out.write(`  generation       ${s.generation}\n`);
    out.write(`  commit indexed   ${safe(s.commit ?? 'not recorded')}\n`);
    if (s.updatedAt) out.write(`  published        ${new Date(s.updatedAt).toLocaleString()}\n`);
    out.write(`  base files       ${s.baseFiles}\n`);
  }
  out.write(`  local overlay    ${s.overlayFiles} files changed or added here, ${s.replacedFiles} base files replaced or deleted (${safe(s.overlayDir)})\n`);
}
