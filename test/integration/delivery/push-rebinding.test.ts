import type dns from 'node:dns';
import net from 'node:net';
import { expect } from 'chai';
import { PushError, pushRequest, type PushRequest, type PushResolver } from '../../../workers/delivery/push-transport';

/** A raw TCP listener on loopback (the "internal service"): counts connections and every byte that reaches it. */
async function internalService(): Promise<{ port: number; connections: () => number; bytes: () => number; close(): Promise<void> }> {
  let connections = 0;
  let bytes = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', (c: Buffer) => (bytes += c.length));
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    bytes: () => bytes,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/**
 * A rebinding name server: each answer for the name is public when the address policy reads it,
 * and the internal address when the connection reads it (the attacker's TTL-0 record, answered
 * differently to the check and to the use). The address policy reads an answer first, then net.
 */
function rebindingResolver(publicAddress: string, internalAddress: string): { resolver: PushResolver; reads: string[] } {
  const reads: string[] = [];
  const resolver: PushResolver = (_hostname, _options, callback) => {
    let n = 0;
    const answer = { family: 4 } as dns.LookupAddress;
    Object.defineProperty(answer, 'address', {
      enumerable: true,
      get() {
        const a = n++ === 0 ? publicAddress : internalAddress;
        reads.push(a);
        return a;
      },
    });
    setImmediate(() => callback(null, [answer]));
  };
  return { resolver, reads };
}

/** A name that resolves to a public address the first time and to the internal one afterwards. */
function secondAnswerInternal(publicAddress: string, internalAddress: string): { resolver: PushResolver; queries: () => number } {
  let queries = 0;
  const resolver: PushResolver = (_hostname, _options, callback) => {
    queries++;
    setImmediate(() => callback(null, [{ address: queries === 1 ? publicAddress : internalAddress, family: 4 }]));
  };
  return { resolver, queries: () => queries };
}

function request(port: number, resolver: PushResolver): PushRequest {
  return {
    url: `http://agency-endpoint.rebind.test:${port}/in`,
    headers: { 'content-type': 'application/json', 'x-lienthong-delivery': 'rebinding-test' },
    body: JSON.stringify({ document: 'signed body that must not leak' }),
    allowPrivate: false,
    allowHttp: true,
    timeouts: { connectMs: 2000, headersMs: 2000, bodyMs: 1000 },
    resolver,
  };
}

describe('push transport: DNS rebinding to an internal address is refused, and nothing reaches the internal service', function () {
  this.timeout(30_000);
  let internal: Awaited<ReturnType<typeof internalService>>;
  beforeEach(async () => {
    internal = await internalService();
  });
  afterEach(async () => {
    await internal.close();
  });

  it('when the answer passes the resolution check as public but the socket connects to loopback, then the socket-level check refuses it before a byte is sent', async () => {
    const { resolver, reads } = rebindingResolver('93.184.216.34', '127.0.0.1');
    const err = await pushRequest(request(internal.port, resolver)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(PushError);
    // The socket-level message ("điểm nhận ở …"), not the resolution-level one ("phân giải tới …"):
    // the resolution check saw the public address and let it through.
    expect((err as PushError).message).to.equal('điểm nhận ở địa chỉ loopback (chính máy chủ) 127.0.0.1: bị từ chối (cho phép bằng --allow-private-endpoint nếu đó đúng là hệ thống của cơ quan)');
    expect(reads[0], 'the policy read the public answer first').to.equal('93.184.216.34');
    expect(reads.slice(1), 'and the connection the internal one').to.include('127.0.0.1');
    // The TCP handshake is the kernel's; the worker closes the socket at once. Give a late byte time to arrive.
    await new Promise((r) => setTimeout(r, 300));
    expect(internal.bytes(), 'bytes that reached the internal service').to.equal(0);
  });

  it('when the operator allowed the agency\'s private endpoint, then the same connection goes through (the check is what refused it)', async () => {
    const { resolver } = rebindingResolver('93.184.216.34', '127.0.0.1');
    const req = { ...request(internal.port, resolver), allowPrivate: true, timeouts: { connectMs: 2000, headersMs: 500, bodyMs: 500 } };
    // The raw listener never answers HTTP: the push times out waiting for headers, after sending.
    const err = (await pushRequest(req).catch((e: unknown) => e)) as PushError;
    expect(err.message).to.match(/không trả lời trong 500 ms/);
    expect(internal.connections()).to.equal(1);
    expect(internal.bytes(), 'the request reached it').to.be.greaterThan(100);
  });

  it('when a name answered public once and rebinds to loopback on the next attempt, then that attempt is refused at resolution and never connects', async () => {
    const { resolver, queries } = secondAnswerInternal('93.184.216.34', '127.0.0.1');
    // First attempt goes to the public address (whatever happens there — no route, a timeout — is not this test's concern).
    await pushRequest({ ...request(internal.port, resolver), timeouts: { connectMs: 1000, headersMs: 1000, bodyMs: 500 } }).then(() => undefined, () => undefined);
    const second = (await pushRequest(request(internal.port, resolver)).catch((e: unknown) => e)) as PushError;
    expect(queries()).to.equal(2);
    expect(second.message).to.equal('điểm nhận phân giải tới agency-endpoint.rebind.test → địa chỉ loopback (chính máy chủ) 127.0.0.1: bị từ chối (cho phép bằng --allow-private-endpoint nếu đó đúng là hệ thống của cơ quan)');
    await new Promise((r) => setTimeout(r, 300));
    expect(internal.connections(), 'connections that reached the internal service').to.equal(0);
    expect(internal.bytes()).to.equal(0);
  });
});
