import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { cgroupCpuQuota, usableCores } from '../../src/core/config/cores';

// Fake file system roots laid out as Linux shows cgroups in /proc and /sys.
const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function fakeRoot(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'quipu-cgroup-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

test('cgroup v2: cpu.max gives the quota in cores; "max" is no limit', () => {
  const limited = fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': '150000 100000\n' });
  assert.equal(cgroupCpuQuota(limited), 1.5);
  const unlimited = fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': 'max 100000\n' });
  assert.equal(cgroupCpuQuota(unlimited), undefined);
});

test('cgroup v2: the tightest limit between the process\'s cgroup and the root counts', () => {
  const root = fakeRoot({
    'proc/self/cgroup': '0::/kubepods/pod1/container\n',
    'sys/fs/cgroup/kubepods/cpu.max': 'max 100000\n',
    'sys/fs/cgroup/kubepods/pod1/cpu.max': '200000 100000\n',
    'sys/fs/cgroup/kubepods/pod1/container/cpu.max': 'max 100000\n',
  });
  assert.equal(cgroupCpuQuota(root), 2);
});

test('cgroup v1: cfs_quota_us over cfs_period_us in the cpu hierarchy; -1 is no limit', () => {
  const limited = fakeRoot({
    'proc/self/cgroup': '4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n',
    // Inside a container the host's path is not mounted: its own cgroup is the mount's root.
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '300000\n',
    'sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
  });
  assert.equal(cgroupCpuQuota(limited), 3);
  const unlimited = fakeRoot({
    'proc/self/cgroup': '3:cpu,cpuacct:/\n',
    'sys/fs/cgroup/cpu/cpu.cfs_quota_us': '-1\n',
    'sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
  });
  assert.equal(cgroupCpuQuota(unlimited), undefined);
});

test('no cgroup file system (not Linux, or not mounted): no quota, the affinity decides', () => {
  const empty = fakeRoot({});
  assert.equal(cgroupCpuQuota(empty), undefined);
  assert.equal(usableCores(empty), availableParallelism());
});

test('usable cores: the quota rounded down, at least one, never more than the affinity allows', () => {
  const quota = (cores: string) => fakeRoot({ 'proc/self/cgroup': '0::/\n', 'sys/fs/cgroup/cpu.max': `${cores} 100000\n` });
  assert.equal(usableCores(quota('50000')), 1, 'half a core still gets a worker');
  assert.equal(usableCores(quota('150000')), 1);
  assert.equal(usableCores(quota('6400000')), availableParallelism(), '64 cores of quota on a smaller machine');
  if (availableParallelism() >= 2) assert.equal(usableCores(quota('200000')), 2);
});
