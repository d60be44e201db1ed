/**
 * The default embedding workers of a real process under real limits: a CPU affinity (taskset) and a
 * cgroup CPU quota. Each starts Node as a child in those limits (the pure parts: test/unit's
 * config.test.ts and cores.test.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

test('the default worker count is the cores the process may use (CPU affinity, as in a pinned container)', { skip: process.platform !== 'linux' && 'taskset is Linux-only' }, () => {
  const config = join(__dirname, '..', '..', 'src', 'core', 'config', 'config.ts');
  const script = `console.log(require(${JSON.stringify(config)}).DEFAULT_PIPELINE_SETTINGS.embedWorkers)`;
  const workersOn = (cpus: string) => Number(execFileSync('taskset', ['-c', cpus, process.execPath, '--import', 'tsx', '-e', script], { encoding: 'utf8' }).trim());
  assert.equal(workersOn('0'), 1);
  if (availableParallelism() >= 2) assert.equal(workersOn('0-1'), 2);
});

/**
 * A real cgroup with a quota of 1.5 cores, made where the cgroup file system lets this process (root,
 * as on the CI machine): a child started in it sizes its embedding workers for one core.
 */
function makeQuotaCgroup(): { dir: string; enter: string } | string {
  const name = `quipu-test-${process.pid}`;
  const layouts = [
    { mount: '/sys/fs/cgroup/cpu', quotaFile: 'cpu.cfs_quota_us', quota: '150000' }, // v1
    { mount: '/sys/fs/cgroup', quotaFile: 'cpu.max', quota: '150000 100000' }, // v2
  ];
  for (const layout of layouts) {
    if (!existsSync(join(layout.mount, 'cgroup.procs'))) continue;
    const dir = join(layout.mount, name);
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, layout.quotaFile), layout.quota);
      return { dir, enter: join(dir, 'cgroup.procs') };
    } catch (error) {
      rmdirSafe(dir);
      return `cannot make a cgroup with a CPU quota here: ${(error as Error).message}`;
    }
  }
  return 'no cgroup file system';
}

function rmdirSafe(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not made, or already gone.
  }
}

const cgroup = process.platform === 'linux' ? makeQuotaCgroup() : 'cgroups are Linux-only';
after(() => typeof cgroup === 'object' && rmdirSafe(cgroup.dir));

test('a process under a real CPU quota of 1.5 cores gets one embedding worker, whatever the affinity allows', { skip: typeof cgroup === 'string' && cgroup }, () => {
  if (typeof cgroup === 'string') return;
  const config = join(__dirname, '..', '..', 'src', 'core', 'config', 'config.ts');
  const cores = join(__dirname, '..', '..', 'src', 'core', 'config', 'cores.ts');
  const script = `console.log(JSON.stringify({ quota: require(${JSON.stringify(cores)}).cgroupCpuQuota(), workers: require(${JSON.stringify(config)}).DEFAULT_PIPELINE_SETTINGS.embedWorkers }))`;
  // The shell moves itself into the cgroup, then becomes Node, which stays in it.
  const output = execFileSync('sh', ['-c', `echo $$ > ${JSON.stringify(cgroup.enter)} && exec "$0" --import tsx -e "$1"`, process.execPath, script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(output.trim()), { quota: 1.5, workers: 1 });
});
