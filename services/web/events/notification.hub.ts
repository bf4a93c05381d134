import pg from 'pg';
import { logger } from '../../logging/logger';

const log = logger('web-notifications');

/**
 * One LISTEN connection on 'lienthong_notification' per gateway process while someone watches:
 * each notification wakes only the pages of the user it is for (the payload names the user).
 */
export class NotificationHub {
  private client: pg.Client | undefined;
  private opening: Promise<void> | undefined;
  private readonly subs = new Map<symbol, { userId: string; send: (id: number) => void }>();

  constructor(private readonly databaseUrl: string) {}

  async subscribe(userId: string, send: (id: number) => void): Promise<() => void> {
    const key = Symbol(userId);
    this.subs.set(key, { userId, send });
    await this.open();
    return () => {
      this.subs.delete(key);
      if (this.subs.size === 0) void this.close();
    };
  }

  private open(): Promise<void> {
    if (this.client) return Promise.resolve();
    this.opening ??= (async () => {
      const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'lienthong-web-notifications' });
      client.on('notification', (n) => this.fanOut(n.payload));
      client.on('error', (err) => {
        log.warn({ err }, 'notification connection lost; pages fall back to reloading');
        this.client = undefined;
      });
      await client.connect();
      await client.query('LISTEN lienthong_notification');
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

  private fanOut(payload: string | undefined): void {
    if (!payload) return;
    let p: { userId?: unknown; id?: unknown };
    try {
      p = JSON.parse(payload) as typeof p;
    } catch {
      return;
    }
    if (typeof p.userId !== 'string' || typeof p.id !== 'number') return;
    for (const s of this.subs.values()) if (s.userId === p.userId) s.send(p.id);
  }
}
