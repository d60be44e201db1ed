// One watcher over a folder, for bench/watchers.mjs: prints "ready <ms>" once watching, then "event <path>" per change.
import { setInterval } from 'node:timers';
import { performance } from 'node:perf_hooks';

const [kind, dir] = process.argv.slice(2);
const start = performance.now();
const ignored = /(^|[\\/])(\.git|node_modules)([\\/]|$)/;
if (kind === 'parcel') {
  const watcher = await import('@parcel/watcher');
  await watcher.subscribe(dir, (error, events) => {
    if (error) throw error;
    for (const e of events) process.stdout.write(`event ${e.path}\n`);
  }, { ignore: ['.git', 'node_modules'] });
} else if (kind === 'chokidar') {
  const { watch } = await import('chokidar');
  const watcher = watch(dir, { ignoreInitial: true, ignored: (p) => ignored.test(p) });
  watcher.on('all', (_event, path) => process.stdout.write(`event ${path}\n`));
  await new Promise((resolve) => watcher.once('ready', resolve));
} else if (kind !== 'none') throw new Error(`unknown watcher ${kind}`);
process.stdout.write(`ready ${(performance.now() - start).toFixed(0)}\n`);
setInterval(() => {}, 1 << 30);
