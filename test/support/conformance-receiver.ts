import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signDelivery } from '../../workers/delivery/signed-post';

/** How a receiver may be broken; the correct one has none of these. */
export interface ReceiverFaults {
  /** Accepts any signature. */
  ignoresSignature?: boolean;
  /** Verifies the signature but not the age of the timestamp. */
  ignoresTimestampAge?: boolean;
  /** Answers 409 to a delivery id it has seen (Liên Thông would retry for 24 hours, then fail). */
  conflictOnRepeat?: boolean;
  /** Refuses bodies above this many bytes with 413. */
  maxBodyBytes?: number;
}

const MAX_AGE_SECONDS = 300;

/**
 * A real agency receiver over HTTP, written as the README tells vendors to: HMAC-SHA256 over
 * "<timestamp>.<body>" compared in constant time, timestamps older than 5 minutes refused, a
 * repeated delivery id answered 200 `{"duplicate": true}` and not filed twice.
 */
export async function startConformanceReceiver(secret: string, faults: ReceiverFaults = {}) {
  const filed = new Map<string, number>();
  const maxBody = faults.maxBodyBytes ?? 32 * 1024 * 1024;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (tooLarge) return answer(413, { error: 'too large' });
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['x-lienthong-delivery'] ?? '');
      const ts = String(req.headers['x-lienthong-timestamp'] ?? '');
      const given = Buffer.from(String(req.headers['x-lienthong-signature'] ?? ''));
      const expected = Buffer.from(signDelivery(secret, ts, raw));
      if (!faults.ignoresSignature && !(given.length === expected.length && timingSafeEqual(given, expected))) return answer(401, { error: 'bad signature' });
      if (!faults.ignoresTimestampAge && !(Math.abs(Date.now() / 1000 - Number(ts)) <= MAX_AGE_SECONDS)) return answer(401, { error: 'stale timestamp' });
      if (filed.has(id)) {
        filed.set(id, filed.get(id)! + 1);
        return faults.conflictOnRepeat ? answer(409, { error: 'already received' }) : answer(200, { deliveryId: id, duplicate: true });
      }
      filed.set(id, 1);
      answer(200, { deliveryId: id });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/lienthong/push`,
    filed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
