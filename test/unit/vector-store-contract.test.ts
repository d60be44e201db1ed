/** The VectorStore contract (test/contracts/vector-store-contract.ts) on the local shards: no server. */
import { join } from 'node:path';
import { LocalVectorStore } from '../../src/core/store/local-vector-store';
import { vectorStoreContract } from '../contracts/vector-store-contract';
import { tempDir } from '../helpers';

vectorStoreContract({
  name: 'local shards',
  make: () => {
    const dir = join(tempDir(), 'index');
    return (identity, write) => LocalVectorStore.open(dir, identity, { write });
  },
});
