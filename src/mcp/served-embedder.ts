/**
 * The embedder `quipu mcp` uses: the one its folders' indexes were built with, found as `quipu
 * search` finds it (the index's `embedder.json`, trusted only when the index folder lies outside the
 * served folder, links resolved). Never a silent rebuild with another model, which would also
 * rewrite the record: an index whose record cannot be trusted, a damaged record, or folders built by
 * different embedders (one server has one) make the server refuse, naming the index and the embedder.
 *
 * Chosen over refusing every remote-built index: an agent's server is started by a client config
 * with no room for embedder flags, and the CLI already follows the same record the same way.
 */
import { readEmbedderRecord } from '../core/embed/embedder-record';
import type { RemoteEmbedderSettings } from '../core/config/embedder-settings';
import { insideFolder } from '../core/files/real-paths';
import type { ServedFolder } from './folders';

export class ServedEmbedderError extends Error {
  override name = 'ServedEmbedderError';
}

/** The remote embedder every served index was built with; undefined: the bundled model. */
export async function servedEmbedder(served: ServedFolder[]): Promise<RemoteEmbedderSettings | undefined> {
  const found: { folder: ServedFolder; remote?: RemoteEmbedderSettings }[] = [];
  for (const folder of served) {
    // A damaged record throws its own error, naming the file and what to do.
    const remote = await readEmbedderRecord(folder.indexDir);
    if (remote && insideFolder(folder.root, folder.indexDir) !== undefined) {
      throw new ServedEmbedderError(
        `The index of ${folder.root} at ${folder.indexDir} was built by a remote embedder (${describe(remote)}), and its record lies inside the served folder, where the repository itself could have written it: ` +
          'it is not followed, and the index is not rebuilt with another model. Keep the index outside the folder (QUIPU_INDEX_HOME), or rebuild it with `quipu index --embed-local --rebuild`.',
      );
    }
    found.push({ folder, remote });
  }
  const kinds = new Set(found.map((f) => keyOf(f.remote)));
  if (kinds.size > 1) {
    throw new ServedEmbedderError(
      `The served folders' indexes were built by different embedders (${found.map((f) => `${f.folder.root} at ${f.folder.indexDir}: ${describe(f.remote)}`).join('; ')}). ` +
        'One server embeds queries one way: serve them with separate `quipu mcp` processes, or index them with the same embedder.',
    );
  }
  return found[0]?.remote;
}

function keyOf(remote: RemoteEmbedderSettings | undefined): string {
  if (!remote) return 'local';
  const { apiKey: _secret, ...kept } = remote;
  void _secret;
  return JSON.stringify(kept, Object.keys(kept).sort());
}

function describe(remote: RemoteEmbedderSettings | undefined): string {
  return remote ? `${remote.url}, ${remote.provider} model ${remote.model}` : 'the bundled model';
}
