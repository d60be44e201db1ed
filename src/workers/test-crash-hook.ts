/**
 * For the fault corpus only (test/faults): with QUIPU_TEST_CRASH_MARKER set in the environment, a
 * worker handed input that contains the marker dies at once (`process.exit` ends a worker thread or
 * an extract child process alone), as a native crash or an out-of-memory kill would end it. Unset, it does nothing.
 * A repository cannot set it: it comes from the environment of the process that runs Quipu.
 */
export function crashIfMarked(input: Uint8Array | string): void {
  const marker = process.env.QUIPU_TEST_CRASH_MARKER;
  if (!marker) return;
  const found = typeof input === 'string' ? input.includes(marker) : Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes(marker);
  if (found) process.exit(70);
}
