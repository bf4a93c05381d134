import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../services/config/config';
import { createPool, type Db } from '../../services/db/pool';
import type { RoundTripCounter } from '../../services/db/round-trips';
import { createApp } from '../../services/gateway/app';
import { createRedis } from '../../services/pipeline/redis';
import type IORedis from 'ioredis';

export interface RunningGateway {
  baseUrl: string;
  db: Db;
  close(): Promise<void>;
}

/** The gateway app on port 0 in this process, with its own pool and Redis connection. */
export async function startGateway(env: Record<string, string> = {}, opts: { roundTrips?: RoundTripCounter } = {}): Promise<RunningGateway> {
  const config = loadConfig({ ...process.env, ...env });
  const db = createPool(config.DATABASE_URL, { max: 10, ...(opts.roundTrips ? { roundTrips: opts.roundTrips } : {}) });
  const redis: IORedis = createRedis(config, 'producer');
  const app = createApp({ db, redis, config });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    db,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await redis.quit().catch(() => undefined);
      // A client caught reconnecting (its Redis killed by the test) would otherwise go on trying
      // after QUIT failed, and hold the run open once Redis stops for good.
      redis.disconnect();
      await db.end();
    },
  };
}

/** multipart/form-data with a metadata JSON part and one PDF file part, as agency systems send. */
export function documentForm(metadata: unknown, pdf: Buffer, fileName = 'van-ban.pdf', contentType = 'application/pdf'): FormData {
  const form = new FormData();
  form.append('metadata', JSON.stringify(metadata));
  form.append('file', new Blob([pdf], { type: contentType }), fileName);
  return form;
}

export async function postDocument(
  baseUrl: string,
  apiKey: string,
  body: FormData | unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const isForm = body instanceof FormData;
  const res = await fetch(`${baseUrl}/v1/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, ...(isForm ? {} : { 'content-type': 'application/json' }), ...headers },
    body: isForm ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

export async function getJson(baseUrl: string, path: string, apiKey: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
