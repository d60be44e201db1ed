/**
 * A piscina pool in a child process (core/pool/process-piscina.ts): runs each task it is sent on its pool
 * and sends the result back; closes the pool and exits when told to, or when its parent goes away.
 */
import { Piscina } from 'piscina';
import type { ProcessPoolOptions } from '../core/pool/process-piscina';

const options = JSON.parse(process.env.QUIPU_POOL_OPTIONS ?? '{}') as ProcessPoolOptions;
const pool = new Piscina({ filename: options.filename, minThreads: 0, maxThreads: options.maxThreads, idleTimeout: options.idleTimeout, workerData: options.workerData });

type Message = { id: number; name: string; task: unknown } | { close: true };

process.on('message', (message: Message) => {
  if ('close' in message) {
    void pool.close().finally(() => process.exit(0));
    return;
  }
  const { id, name, task } = message;
  pool.run(task, { name }).then(
    (value: unknown) => process.send?.({ id, value }),
    (error: unknown) => process.send?.({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
