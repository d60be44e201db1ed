/**
 * `npm run bench:compare -- <git-ref> [rounds]`: indexing throughput of this checkout against an
 * earlier commit, in one run on one machine. The model alone (the limit) is measured once; then each
 * engine indexes the large corpus cold, alternating (this, ref, this, ref, …) so that a change in
 * the machine's load hits both. Throughput is reported against the limit, as in bench/RESULTS.md, and
 * as source KB/s (engines that cut chunks differently embed different numbers of chunks).
 * Writes bench/COMPARE.md.
 *
 * The ref is checked out into a temporary git worktree that borrows this checkout's node_modules and
 * model, and is built there; its own bench/quipu-child.ts runs it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveModel } from '../src/core/embed/model';
import type { IndexSummary } from '../src/core/pipeline/events';
import { machineDescription, ROOT, runChild, type QuipuRun } from './lib';

interface LimitRun {
  /** The model's best setting in limit-child's sweep. */
  best: { sessions: number; threads: number; batchSize: number; chunksPerSecond: number };
}
function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

async function main(): Promise<void> {
  const [ref, roundsArg] = process.argv.slice(2);
  if (!ref) throw new Error('usage: npm run bench:compare -- <git-ref> [rounds]');
  const rounds = Number(roundsArg ?? 2);
  const large = join(ROOT, 'bench', '.corpus', 'large');
  if (!existsSync(large)) execFileSync(process.execPath, [join(ROOT, 'bench', 'make-corpus.mjs')], { stdio: 'inherit' });
  const log = (text: string) => process.stderr.write(`[compare] ${text}\n`);
  const work = mkdtempSync(join(tmpdir(), 'quipu-compare-'));
  const refSha = git(['rev-parse', '--short', ref]);
  const headSha = git(['rev-parse', '--short', 'HEAD']);
  const refCheckout = join(work, `ref-${refSha}`);
  git(['worktree', 'add', '--detach', refCheckout, ref]);
  try {
    symlinkSync(join(ROOT, 'node_modules'), join(refCheckout, 'node_modules'));
    symlinkSync(join(ROOT, 'models'), join(refCheckout, 'models'));
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: refCheckout, stdio: 'inherit' });
    const model = await resolveModel('');
    const loadAtStart = loadavg()[0];
    log('the limit: raw ONNX Runtime on pre-tokenised batches');
    const limit = await runChild<LimitRun>('limit-child.ts', [large, model.onnxPath, model.dir, '256']);
    const runs: { engine: string; cold: IndexSummary }[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [engine, checkout] of [
        [`HEAD ${headSha}`, ROOT],
        [ref === refSha ? ref : `${ref} ${refSha}`, refCheckout],
      ] as const) {
        log(`round ${round}/${rounds}: ${engine}`);
        // Each engine is measured by its own harness.
        const { cold } = await runChild<QuipuRun>(join(checkout, 'bench', 'quipu-child.ts'), [large, join(work, 'index')], { cwd: checkout });
        runs.push({ engine, cold });
      }
    }
    const loadAtEnd = loadavg()[0];
    // The raw runs first: a formatting slip must not cost the measurements.
    mkdirSync(join(ROOT, 'bench', '.cache'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', '.cache', 'compare-runs.json'), JSON.stringify({ ref, refSha, headSha, limit, runs, loadAtStart, loadAtEnd }, null, 1));
    const limitSpeed = limit.best.chunksPerSecond;
    const kbps = (s: IndexSummary) => s.sourceBytes / 1024 / s.seconds;
    const byEngine = (engine: string) => runs.filter((r) => r.engine === engine).map((r) => r.cold);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const engines = [...new Set(runs.map((r) => r.engine))];
    const summary = engines.map((engine) => {
      const colds = byEngine(engine);
      return { engine, chunksPerSecond: mean(colds.map((c) => c.chunksPerSecond)), kbps: mean(colds.map(kbps)), chunks: colds[0].chunksEmbedded };
    });
    const [head, old] = summary;
    const lines = [
      '# Indexing throughput: this engine against an earlier one',
      '',
      `Measured by \`npm run bench:compare -- ${ref} ${rounds}\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machineDescription()}.`,
      `Load average (1 min): ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end. One run: compare the ratios.`,
      `The limit (ONNX Runtime alone at its best setting, ${limit.best.sessions} session(s) × ${limit.best.threads} thread(s), batch ${limit.best.batchSize}, 256 sampled chunks of the corpus): ${limitSpeed.toFixed(1)} chunks/s.`,
      '',
      '| engine | round | chunks embedded | seconds | chunks/s | vs limit | source KB/s |',
      '|---|---|---|---|---|---|---|',
      ...runs.map((r, i) => `| ${r.engine} | ${Math.floor(i / 2) + 1} | ${r.cold.chunksEmbedded} | ${r.cold.seconds.toFixed(1)} | ${r.cold.chunksPerSecond.toFixed(1)} | ${(r.cold.chunksPerSecond / limitSpeed).toFixed(2)} | ${kbps(r.cold).toFixed(2)} |`),
      '',
      '| engine | mean chunks/s | vs limit | mean source KB/s |',
      '|---|---|---|---|',
      ...summary.map((s) => `| ${s.engine} | ${s.chunksPerSecond.toFixed(1)} | **${(s.chunksPerSecond / limitSpeed).toFixed(2)}** | ${s.kbps.toFixed(2)} |`),
      '',
      `- Throughput ratio against the limit, HEAD / ${ref}: **${(head.chunksPerSecond / old.chunksPerSecond).toFixed(2)}** in chunks/s, **${(head.kbps / old.kbps).toFixed(2)}** in source KB/s.`,
      `- HEAD cuts the corpus into ${head.chunks} chunks, ${ref} into ${old.chunks}.`,
      '',
    ];
    writeFileSync(join(ROOT, 'bench', 'COMPARE.md'), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    git(['worktree', 'remove', '--force', refCheckout]);
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
