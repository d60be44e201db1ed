/**
 * The VectorStore contract (test/contracts/vector-store-contract.ts) on a team index on a real Chroma
 * server (test/servers/chroma.ts, installed by scripts/setup-chroma.sh).
 */
import { after } from 'node:test';
import { ChromaStore } from '../../src/core/store/chroma-store';
import { vectorStoreContract } from '../contracts/vector-store-contract';
import { startChroma, type RunningChroma } from '../servers/chroma';

let chroma: RunningChroma | undefined;
after(() => chroma?.dispose());

let collections = 0;
vectorStoreContract({
  name: 'chroma server',
  start: async () => {
    chroma ??= await startChroma();
  },
  make: () => {
    const name = `contract-${++collections}`;
    return (identity, write) => ChromaStore.open(chroma!.url, name, identity, { write });
  },
});
