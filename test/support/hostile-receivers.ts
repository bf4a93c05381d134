import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/** What reached a listener: one entry per request (method, path, body length, delivery header). */
export interface Recorded {
  method: string;
  path: string;
  bodyBytes: number;
  deliveryId: string;
}

export interface RecordingServer {
  url: string;
  port: number;
  requests: Recorded[];
  /** TCP connections accepted, whether or not a request followed. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A local HTTP listener whose every request is recorded and answered by `answer` once the request
 * body has arrived (`answer` writes the response itself). Connections are counted too, so a test
 * can prove nothing at all reached it.
 */
export async function startRecordingServer(answer: (req: http.IncomingMessage, res: http.ServerResponse, rec: Recorded) => void = (_q, res) => res.writeHead(200).end('ok')): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (c: Buffer) => (bytes += c.length));
    req.on('end', () => {
      const rec = { method: req.method ?? '', path: req.url ?? '', bodyBytes: bytes, deliveryId: String(req.headers['x-lienthong-delivery'] ?? '') };
      requests.push(rec);
      answer(req, res, rec);
    });
    res.on('error', () => undefined);
  });
  server.on('connection', (s: net.Socket) => {
    connections++;
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Answers every request with `status` and a Location on `target` (a redirecting endpoint). */
export function redirectTo(status: number, target: string) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, { location: target, 'content-type': 'text/plain' }).end(`moved to ${target}`);
  };
}

/**
 * 200 with a body of `bytes` generated as the client reads it (backpressure): never held in
 * memory, so only the client's reading decides how much of it exists.
 */
export function hugeAnswer(bytes: number) {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let left = bytes;
    const body = new Readable({
      read() {
        if (left <= 0) return void this.push(null);
        const n = Math.min(left, chunk.length);
        left -= n;
        this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      },
    });
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes) });
    body.on('error', () => undefined);
    body.pipe(res);
  };
}

/** 200 and a few bytes of body, then nothing more, ever (the connection stays open). */
export function stalledAnswer(contentType = 'application/json', head = '{"deliveryId":') {
  return (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': '100000' });
    res.write(head);
  };
}

/** The resident set of a process in MB, from /proc (Linux). */
export async function rssMbOf(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
