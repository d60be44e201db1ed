/**
 * Child process: the embedding endpoint's own ceiling, loaded directly (no Quipu in the way). Sends
 * the given texts, sorted by length as Quipu batches them, at each batch size × requests in flight,
 * and prints one JSON line: the sweep and the best configuration.
 * Usage: remote-ceiling.ts <endpoint> <model> <texts.json>
 */
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
  const [endpoint, model, textsFile] = process.argv.slice(2) as [string, string, string];
  const texts = (JSON.parse(readFileSync(textsFile, 'utf8')) as string[]).sort((a, b) => a.length - b.length);
  const send = async (input: string[]) => {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, input, encoding_format: 'float' }) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await response.json();
  };
  await send(texts.slice(0, 8)); // warm-up
  const sweep: { batchSize: number; inFlight: number; chunksPerSecond: number }[] = [];
  for (const batchSize of [16, 48]) {
    for (const inFlight of [1, 4]) {
      const batches: string[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) batches.push(texts.slice(i, i + batchSize));
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < batches.length) await send(batches[next++]);
      }));
      sweep.push({ batchSize, inFlight, chunksPerSecond: texts.length / ((performance.now() - started) / 1000) });
    }
  }
  const best = sweep.reduce((a, b) => (b.chunksPerSecond > a.chunksPerSecond ? b : a));
  process.stdout.write(JSON.stringify({ texts: texts.length, sweep, best }) + '\n');
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
