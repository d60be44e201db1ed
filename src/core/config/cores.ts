/**
 * How many cores this process may really use. `os.availableParallelism()` follows the CPU affinity
 * mask (`taskset`, `docker --cpuset-cpus`), but the libuv of Node 20 (1.46) ignores a cgroup CPU
 * quota (`docker --cpus=2`, a Kubernetes CPU limit, as code-server and cloud IDEs run under): there it
 * reports the host's 32 cores, and the defaults would start workers that only fight over two cores'
 * time, each holding a model session in memory a container may not have.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, posix } from 'node:path';

/** The cores the default worker counts are sized for: the affinity mask, bounded by a CPU quota. */
export function usableCores(root = '/'): number {
  const quota = cgroupCpuQuota(root);
  const cores = availableParallelism();
  // A quota of 1.5 cores cannot keep two single-thread sessions busy; round down, keep one.
  return quota === undefined ? cores : Math.max(1, Math.min(cores, Math.floor(quota)));
}

/**
 * The CPU quota of this process's cgroup in cores (1.5 for `docker --cpus=1.5`), or undefined when
 * there is none or it cannot be read (not Linux, no cgroup file system). The tightest limit on the
 * way from the process's cgroup up to the hierarchy's root counts, as the kernel enforces them all.
 * `root` is the file system root, so tests can lay out a fake /proc and /sys.
 */
export function cgroupCpuQuota(root = '/'): number | undefined {
  const membership = readText(join(root, 'proc', 'self', 'cgroup'));
  if (membership === undefined) return undefined;
  const limits: number[] = [];
  for (const line of membership.split('\n')) {
    // "0::/path" (v2, unified) or "4:cpu,cpuacct:/path" (v1).
    const match = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (!match) continue;
    const [, controllers, path] = match;
    if (controllers === '') {
      limits.push(...quotasUpFrom(join(root, 'sys', 'fs', 'cgroup'), path, (dir) => parseV2CpuMax(readText(join(dir, 'cpu.max')))));
    } else if (controllers.split(',').includes('cpu')) {
      // The v1 cpu hierarchy is mounted as "cpu,cpuacct" (and linked as "cpu") or as "cpu" alone.
      const mount = [controllers, 'cpu'].map((name) => join(root, 'sys', 'fs', 'cgroup', name)).find((base) => readText(join(base, 'cpu.cfs_period_us')) !== undefined);
      if (mount) limits.push(...quotasUpFrom(mount, path, (dir) => parseV1Quota(readText(join(dir, 'cpu.cfs_quota_us')), readText(join(dir, 'cpu.cfs_period_us')))));
    }
  }
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/**
 * The quotas found in `path`'s folder and every folder above it, up to the mount's root. Inside a
 * container the listed path may be the host's ("/docker/<id>") while the mount shows the container's
 * own cgroup at its root; walking up reaches that too.
 */
function quotasUpFrom(mountRoot: string, path: string, quotaIn: (dir: string) => number | undefined): number[] {
  const quotas: number[] = [];
  for (let dir = posix.normalize(path); ; dir = posix.dirname(dir)) {
    const quota = quotaIn(join(mountRoot, dir));
    if (quota !== undefined) quotas.push(quota);
    if (dir === '/' || dir === '.') break;
  }
  return quotas;
}

/** cgroup v2 `cpu.max`: "max 100000" (no limit) or "150000 100000" (1.5 cores). */
function parseV2CpuMax(text: string | undefined): number | undefined {
  const [quota, period] = (text ?? '').trim().split(/\s+/);
  return toCores(quota === 'max' ? -1 : Number(quota), Number(period ?? 100000));
}

/** cgroup v1 `cpu.cfs_quota_us` (-1: no limit) over `cpu.cfs_period_us`. */
function parseV1Quota(quota: string | undefined, period: string | undefined): number | undefined {
  if (quota === undefined) return undefined;
  return toCores(Number(quota.trim()), Number(period?.trim() ?? 100000));
}

function toCores(quota: number, period: number): number | undefined {
  return Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0 ? quota / period : undefined;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
