import type pg from 'pg';
import { connectSession } from '../../db/multi-host';
import { logger } from '../../logging/logger';

export interface ListenHubOptions<E> {
  /** The PostgreSQL channel to LISTEN on. */
  channel: string;
  /** application_name of the LISTEN connection (seen in pg_stat_activity). */
  application: string;
  /** A session URL: LISTEN does not survive a transaction pooler (LIENTHONG_DATABASE_SESSION_URL). */
  databaseUrl: string;
  /** The event a notification's payload carries, or undefined for a payload to ignore. */
  parse(payload: string): E | undefined;
  /** The subscriber keys (agency codes, user ids, …) an event is for; nobody else hears it. */
  audience(event: E): Promise<Iterable<string>> | Iterable<string>;
}

interface Subscriber<E> {
  key: string;
  send(event: E): void;
}

const log = logger('web-events');

/**
 * One LISTEN connection per gateway process and channel, opened while someone watches and closed
 * when the last page goes away; each notification goes only to the subscribers its audience names.
 * The live status of documents (dispatch-event.hub.ts) and the notification centre
 * (notification.hub.ts) are two of these.
 */
export class ListenHub<E> {
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private readonly subs = new Set<Subscriber<E>>();

  constructor(private readonly options: ListenHubOptions<E>) {}

  /** Sends the key's events to `send` until the returned function is called. */
  async subscribe(key: string, send: (event: E) => void): Promise<() => void> {
    const sub: Subscriber<E> = { key, send };
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
      const { channel, application, databaseUrl } = this.options;
      const client = await connectSession(databaseUrl, application);
      client.on('notification', (n) => void this.fanOut(n.payload).catch((err) => log.warn({ err, channel }, 'event fan-out failed')));
      client.on('error', (err) => {
        log.warn({ err, channel }, 'event connection lost; pages fall back to reloading');
        this.client = undefined;
      });
      await client.query(`LISTEN ${channel}`);
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

  private async fanOut(payload: string | undefined): Promise<void> {
    if (this.subs.size === 0 || !payload) return;
    let event: E | undefined;
    try {
      event = this.options.parse(payload);
    } catch {
      return;
    }
    if (event === undefined) return;
    const audience = new Set(await this.options.audience(event));
    for (const s of this.subs) if (audience.has(s.key)) s.send(event);
  }
}
