/**
 * What crosses between a process pool (pool/process-piscina.ts) and its child (src/workers/pool-host.ts):
 * the pool's options, given in the child's environment, then tasks by id one way and replies the other.
 */
import type { Serializable } from 'node:child_process';

/** The environment variable that carries `ProcessPoolOptions` to the child, as JSON. */
export const POOL_OPTIONS_ENV = 'QUIPU_POOL_OPTIONS';

export interface ProcessPoolOptions {
  /** The worker script piscina runs in the child. */
  filename: string;
  maxThreads: number;
  idleTimeout: number;
  workerData: Serializable;
}

/** A task for the child's pool (run by its export `name`), or the order to close it and exit. */
export type HostRequest = { id: number; name: string; task: Serializable } | { close: true };

/** A task's result, or its error's message. */
export interface HostReply {
  id: number;
  value?: unknown;
  error?: string;
}
