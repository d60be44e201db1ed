#!/usr/bin/env node
// Which file watcher `quipu mcp` uses: @parcel/watcher or chokidar, measured on a generated tree of
// 20k files (200 folders × 100 files, like a mid-size repository). For each: time until watching,
// idle CPU and RSS of a process that only watches (a bare Node process for comparison), and how long
// one change takes to arrive. Usage: node bench/watchers.mjs [files] [idle seconds]
import { setTimeout } from 'node:timers';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const files = Number(process.argv[2] ?? 20000);
const idleSeconds = Number(process.argv[3] ?? 30);
const perDir = 100;
const root = join(tmpdir(), `quipu-watch-bench-${process.pid}`);
for (let d = 0; d < files / perDir; d++) {
  const dir = join(root, `pkg${Math.floor(d / 20)}`, `mod${d}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < perDir; f++) writeFileSync(join(dir, `file${f}.ts`), `export const v${f} = ${d * perDir + f};\n`);
}

const ticks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, clock ticks (1/100 s)
};
const rssMB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

async function measure(kind) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'watcher-child.mjs'), kind, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buffer = '';
  const waiters = [];
  child.stdout.on('data', (data) => {
    buffer += data;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      for (const w of [...waiters]) if (w.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
    }
  });
  const next = (test) => new Promise((resolve) => waiters.push({ test, resolve }));
  const readyMs = Number((await next((l) => l.startsWith('ready'))).split(' ')[1]);
  await new Promise((r) => setTimeout(r, 3000)); // let start-up work settle
  const t0 = ticks(child.pid);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const cpuPercent = ((ticks(child.pid) - t0) / 100 / ((performance.now() - w0) / 1000)) * 100;
  const rss = rssMB(child.pid);
  let eventMs;
  if (kind !== 'none') {
    const target = join(root, 'pkg5', 'mod100', 'file7.ts');
    const seen = next((l) => l.startsWith('event') && l.endsWith('file7.ts') && l.includes('mod100'));
    const e0 = performance.now();
    writeFileSync(target, 'export const changed = true;\n');
    await seen;
    eventMs = performance.now() - e0;
  }
  child.kill();
  return { kind, readyMs, cpuPercent, rss, eventMs };
}

const rows = [];
for (const kind of ['none', 'parcel', 'chokidar']) rows.push(await measure(kind));
rmSync(root, { recursive: true, force: true });
console.log(`${files} files in ${files / perDir} folders; idle measured over ${idleSeconds} s after a 3 s settle\n`);
console.log('| watcher | time until watching | idle CPU | RSS (whole process) | one change seen after |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  const name = r.kind === 'none' ? 'none (bare Node process)' : r.kind === 'parcel' ? '@parcel/watcher 2.5.1' : 'chokidar 4.0.3';
  console.log(`| ${name} | ${r.kind === 'none' ? '–' : r.readyMs + ' ms'} | ${r.cpuPercent.toFixed(2)} % | ${r.rss.toFixed(0)} MB | ${r.eventMs === undefined ? '–' : r.eventMs.toFixed(0) + ' ms'} |`);
}
