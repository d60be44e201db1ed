/**
 * A door in front of a real Chroma server (loopback only) that lets through only requests carrying
 * the team token as a bearer token, and answers 401 otherwise. Chroma 1.5.9's own server (`chroma
 * run`) has no setting to require a token: its config knows only the data path, CORS, payload size
 * and reset; teams put such a proxy (nginx, Envoy, a gateway) in front of it. The server stopping
 * behind the door reads to the client as a dropped connection, as it would without the proxy.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenProxy {
  /** chroma://127.0.0.1:port */
  url: string;
  port: number;
  /** Requests let through (they carried the token). */
  readonly accepted: number;
  /** Requests refused (no token, or another one). */
  readonly refused: number;
  close(): Promise<void>;
}

export async function startTokenProxy(upstreamPort: number, token: string): Promise<TokenProxy> {
  let accepted = 0;
  let refused = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (req.headers.authorization !== `Bearer ${token}`) {
        refused++;
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Unauthorized', message: 'a bearer token is required' }));
        return;
      }
      accepted++;
      const forwarded = httpRequest({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${upstreamPort}` } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(Buffer.concat(chunks));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `chroma://127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    get refused() {
      return refused;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
