import pg from 'pg';
import type { Db } from '../../db/pool';
import { connectSession } from '../../db/multi-host';
import { logger } from '../../logging/logger';

const log = logger('web-events');

/** What the workers and the status functions NOTIFY on 'lienthong_dispatch'. */
export interface DispatchEvent {
  dispatchId?: string;
  documentId: string;
  status: string;
}

interface Subscriber {
  agency: string;
  send(e: DispatchEvent): void;
}

/**
 * One LISTEN connection per gateway process, opened while someone watches and closed when the
 * last page goes away. Each notification is sent only to the agencies it concerns: the sender,
 * and the recipient whose copy has arrived — never to anyone else.
 */
export class DispatchEventHub {
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private readonly subs = new Set<Subscriber>();

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
  ) {}

  async subscribe(agency: string, send: (e: DispatchEvent) => void): Promise<() => void> {
    const sub: Subscriber = { agency, send };
    this.subs.add(sub);
    await this.open();
    return () => {
      this.subs.delete(sub);
      if (this.subs.size === 0) void this.close();
    };
  }

  private open(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.opening ??= (async () => {
      const client = await connectSession(this.databaseUrl, 'lienthong-web-events');
      client.on('notification', (n) => void this.dispatch(n.payload).catch((err) => log.warn({ err }, 'event fan-out failed')));
      client.on('error', (err) => {
        log.warn({ err }, 'event connection lost; pages fall back to reloading');
        this.client = undefined;
      });
      await client.query('LISTEN lienthong_dispatch');
      this.client = client;
      // The last page left while the connection was opening: close it, or it would stay open (and
      // keep the process alive) with nobody listening.
      if (this.subs.size === 0) void this.close();
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async dispatch(payload: string | undefined): Promise<void> {
    if (this.subs.size === 0 || !payload) return;
    let e: DispatchEvent;
    try {
      const p = JSON.parse(payload) as Partial<DispatchEvent>;
      if (typeof p.documentId !== 'string' || typeof p.status !== 'string') return;
      e = { documentId: p.documentId, status: p.status, ...(typeof p.dispatchId === 'string' ? { dispatchId: p.dispatchId } : {}) };
    } catch {
      return;
    }
    const r = await this.db.query<{ sender: string; recipients: string[] }>(
      `SELECT d.sender_code AS sender,
              COALESCE(array_agg(x.recipient_code) FILTER (WHERE x.delivered_at IS NOT NULL), '{}') AS recipients
         FROM documents d LEFT JOIN dispatches x ON x.document_id = d.id AND ($2::uuid IS NULL OR x.id = $2)
        WHERE d.id = $1 GROUP BY d.sender_code`,
      [e.documentId, e.dispatchId ?? null],
    );
    const row = r.rows[0];
    if (!row) return;
    const audience = new Set([row.sender, ...row.recipients]);
    for (const s of this.subs) if (audience.has(s.agency)) s.send(e);
  }
}
