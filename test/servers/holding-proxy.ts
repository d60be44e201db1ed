/**
 * An HTTP proxy in front of a real server (loopback only) that forwards every request, except that it
 * holds the first one `hold` picks: the test then kills the client or stops the server at a known
 * moment of an upload, and `release` lets the held request through (or fail, if the server is gone).
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  /** http://127.0.0.1:port */
  url: string;
  port: number;
  /** Resolves when a request is being held. */
  held: Promise<void>;
  /** Forwards the held request (and every later one). */
  release(): void;
  close(): Promise<void>;
}

export async function startHoldingProxy(target: string, hold: (req: IncomingMessage, body: string) => boolean): Promise<HoldingProxy> {
  const upstream = new URL(target);
  let onHeld!: () => void;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  let holding = false;
  let released = false;
  let onRelease!: () => void;
  const release = new Promise<void>((resolve) => (onRelease = resolve));
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (!holding && !released && hold(req, body.toString())) {
        holding = true;
        onHeld();
        await release;
      }
      const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      // The server gone: the client sees its connection drop, as it would without the proxy.
      forwarded.on('error', () => req.socket.destroy());
      forwarded.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    held,
    release: () => {
      released = true;
      onRelease();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
