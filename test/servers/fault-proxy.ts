/**
 * A fault-injecting HTTP proxy in front of a real embedding server (loopback only): each request is
 * forwarded unless the test's plan says otherwise for that request number. Faults: an HTTP status
 * with headers (429 + Retry-After, 500, 503), a slow answer, a body cut short, an answer whose
 * vectors are shortened (a wrong dimension), or a connection reset.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string }
  | { kind: 'slow'; ms: number }
  | { kind: 'truncate' }
  | { kind: 'wrong-dimension'; keep: number }
  | { kind: 'reset' };

export interface FaultProxy {
  url: string;
  /** Requests seen so far, numbered from 1 (embedding requests only). */
  readonly requests: number;
  /** What happened to each request, in order ('ok' or the fault's kind). */
  readonly log: string[];
  close(): Promise<void>;
}

/** `plan(n, headers)` decides the fate of embedding request n (1-based); undefined forwards it untouched. */
export async function startFaultProxy(target: string, plan: (n: number, headers: IncomingMessage['headers']) => Fault | undefined): Promise<FaultProxy> {
  const upstream = new URL(target);
  let requests = 0;
  const log: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const embedding = req.method === 'POST' && /embed/.test(req.url ?? '');
      const fault = embedding ? plan(++requests, req.headers) : undefined;
      if (embedding) log.push(fault?.kind ?? 'ok');
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ error: { message: `injected ${fault.status}` } }));
        return;
      }
      if (fault?.kind === 'slow') {
        // Wait, unless the client gives up first (its timeout): then there is no one to answer.
        const gaveUp = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), fault.ms);
          res.once('close', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (gaveUp) return;
      }
      const answer = await forward(upstream, req, body);
      let payload = answer.body;
      if (fault?.kind === 'wrong-dimension') {
        const parsed = JSON.parse(payload.toString()) as { data: { embedding: number[] }[] };
        for (const item of parsed.data) item.embedding = item.embedding.slice(0, fault.keep);
        payload = Buffer.from(JSON.stringify(parsed));
      }
      if (fault?.kind === 'truncate') payload = payload.subarray(0, Math.floor(payload.length / 2));
      res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json', 'content-length': String(payload.length) });
      res.end(payload);
    })().catch((error: unknown) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    get requests() {
      return requests;
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<{ status: number; contentType?: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, 'content-length': String(body.length) } },
      (answer) => {
        void readAll(answer).then((data) => resolve({ status: answer.statusCode ?? 502, contentType: answer.headers['content-type'], body: data }), reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

