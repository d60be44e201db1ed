/**
 * The extract worker as a child process (core/pool/child-pool.ts): one task per message, the answer (or
 * the error's message, meant for the user) sent back. It exits when its parent goes away.
 */
import { extract, type ExtractTask } from './extract-worker';

process.on('message', (task: ExtractTask) => {
  extract(task).then(
    (value) => process.send?.({ value }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
