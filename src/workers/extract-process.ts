/**
 * The extract worker as a child process (core/pool/child-pool.ts): one task per message, the answer (or
 * the error's message, meant for the user) sent back. It exits when its parent goes away.
 */
import type { ExtractReply, ExtractTask } from '../core/pool/extract-protocol';
import { extract } from './extract-worker';

process.on('message', (task: ExtractTask) => {
  extract(task).then(
    (value) => process.send?.({ value } satisfies ExtractReply),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.message : String(error) } satisfies ExtractReply),
  );
});
process.on('disconnect', () => process.exit(0));
