import { expect } from 'chai';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { PushError, pushRequest, type PushTimeouts } from '../../../workers/delivery/push-transport';
import { postSigned } from '../../../workers/delivery/signed-post';

/**
 * README § Push delivery rules: a 2xx counts only once the receiver has taken the whole document
 * (the request's body written to the socket before, or with, the answer), and the answer's wait
 * (LIENTHONG_PUSH_TIMEOUT_MS) starts after sending, so a slow but moving upload is delivered while
 * a stalled one fails. Bodies are 16 MB: more than the loopback socket buffers can swallow unread.
 */
const BIG = 16 * 1024 * 1024;

interface Listener {
  url: string;
  close(): Promise<void>;
}

async function listen(server: net.Server): Promise<Listener> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lienthong`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Answers `status` as soon as the request headers arrive and never reads the body. */
async function answersBeforeBody(status = 200): Promise<Listener & { bodyBytesSeen: () => number }> {
  let seen = 0;
  const server = net.createServer((sock) => {
    let head = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.removeListener('data', onData);
      sock.pause();
      seen = head.length - end - 4;
      sock.write(`HTTP/1.1 ${status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok`);
    };
    sock.on('data', onData);
  });
  return { ...(await listen(server)), bodyBytesSeen: () => seen };
}

/** Reads the body slowly (a slow link), then answers 200 with the byte count. */
async function slowReader(bytesPerTick: number, tickMs: number): Promise<Listener & { received: () => number }> {
  let received = 0;
  const server = http.createServer((req, res) => {
    let budget = bytesPerTick;
    const refill = setInterval(() => {
      budget = bytesPerTick;
      req.resume();
    }, tickMs);
    req.on('data', (c: Buffer) => {
      received += c.length;
      budget -= c.length;
      if (budget <= 0) req.pause();
    });
    req.on('end', () => {
      clearInterval(refill);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(String(received));
    });
    req.on('close', () => clearInterval(refill));
  });
  return { ...(await listen(server)), received: () => received };
}

/** Reads the headers, then never another byte and never answers. */
async function stalls(): Promise<Listener> {
  const server = net.createServer((sock) => {
    sock.once('data', () => sock.pause());
  });
  return listen(server);
}

const timeouts = (headersMs: number): PushTimeouts => ({ connectMs: 3000, headersMs, bodyMs: 2000 });
const request = (url: string, body: string, headersMs = 3000) => ({ url, headers: { 'content-type': 'application/xml' }, body, allowPrivate: true, allowHttp: true, timeouts: timeouts(headersMs) });

describe('push transport: the whole body written before an answer counts; the answer wait starts after sending', function () {
  this.timeout(60_000);
  const open: Listener[] = [];
  const big = 'x'.repeat(BIG);
  after(async () => {
    await Promise.all(open.map((l) => l.close()));
  });

  it('a 200 sent before the body was read is a failed attempt, not a delivery', async () => {
    const l = await answersBeforeBody(200);
    open.push(l);
    const err = await pushRequest(request(l.url, big)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, 'an early 200 must not resolve as delivered').to.be.instanceOf(PushError);
    expect((err as PushError).message).to.match(/trước khi nhận hết văn bản/);
    expect(l.bodyBytesSeen()).to.be.lessThan(BIG);
  });

  it('the same rule holds for signed posts (documents and status webhooks)', async () => {
    const l = await answersBeforeBody(202);
    open.push(l);
    const err = await postSigned({ url: l.url, secret: 's', deliveryId: 'd-1', body: big, contentType: 'application/json', attempt: 1, allowPrivate: true, allowHttp: true, timeouts: timeouts(3000) }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PushError);
    expect((err as PushError).message).to.match(/trước khi nhận hết văn bản/);
  });

  it('an early refusal (4xx) is still reported as the receiver\'s answer', async () => {
    const l = await answersBeforeBody(413);
    open.push(l);
    const res = await pushRequest(request(l.url, big));
    expect(res.status).to.equal(413);
  });

  it('a small document to a normal receiver is delivered as before', async () => {
    const l = await slowReader(1 << 30, 10);
    open.push(l);
    const res = await pushRequest(request(l.url, '<edXML/>'));
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal('8');
  });

  it('a large document on a slow link is delivered although the upload outlasts LIENTHONG_PUSH_TIMEOUT_MS', async () => {
    // ~10 MB/s: 32 MB takes about 3 s; the answer wait is 1.5 s (what the socket buffers still
    // hold when the body is written, ~5 MB, drains in about 0.5 s).
    const l = await slowReader(1024 * 1024, 100);
    open.push(l);
    const t0 = Date.now();
    const res = await pushRequest(request(l.url, big + big, 1500));
    expect(res.status).to.equal(200);
    expect(res.body.toString()).to.equal(String(2 * BIG));
    expect(Date.now() - t0, 'the upload must have outlasted the answer wait').to.be.greaterThan(1500);
  });

  it('a stalled upload still fails, on the stall bound', async () => {
    const l = await stalls();
    open.push(l);
    const t0 = Date.now();
    const err = await pushRequest(request(l.url, big, 800)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PushError);
    expect((err as PushError).message).to.match(/ngừng nhận văn bản/);
    expect(Date.now() - t0).to.be.lessThan(10_000);
  });
});
