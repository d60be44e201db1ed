/**
 * A piscina pool in a child process (core/pool/process-piscina.ts): runs each task it is sent on its pool
 * and sends the result back; closes the pool and exits when told to, or when its parent goes away.
 */
import { Piscina } from 'piscina';
import { POOL_OPTIONS_ENV, type HostReply, type HostRequest, type ProcessPoolOptions } from '../core/pool/process-protocol';

const options = JSON.parse(process.env[POOL_OPTIONS_ENV] ?? '{}') as ProcessPoolOptions;
const pool = new Piscina({ filename: options.filename, minThreads: 0, maxThreads: options.maxThreads, idleTimeout: options.idleTimeout, workerData: options.workerData });

process.on('message', (message: HostRequest) => {
  if ('close' in message) {
    void pool.close().finally(() => process.exit(0));
    return;
  }
  const { id, name, task } = message;
  pool.run(task, { name }).then(
    (value: unknown) => process.send?.({ id, value } satisfies HostReply),
    (error: unknown) => process.send?.({ id, error: error instanceof Error ? error.message : String(error) } satisfies HostReply),
  );
});
process.on('disconnect', () => process.exit(0));
