import type { Client } from 'pg';
import pg from 'pg';
import { isStage, JobPayloadSchemas, type Stage } from '../../contracts';
import type { Db } from '../db/pool';
import { connectSession } from '../db/multi-host';
import { logger } from '../logging/logger';
import type { StageQueues } from './stage-queues';
import { beginAndClaimUnpublished, markPublishedAndCommit } from './outbox.repository';

const log = logger('outbox-relay');
const BATCH = 200;

/**
 * Publishes outbox rows to BullMQ. Woken by NOTIFY from the outbox trigger for low latency, and
 * by a timer in case a notification was missed (listener reconnecting, relay started late).
 * Rows are claimed with SKIP LOCKED, so any number of relays can run; a row is marked published
 * only after BullMQ accepted the job, and deterministic job ids make a second publish harmless.
 */
export class OutboxRelay {
  private listener: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly databaseUrl: string,
    private readonly queues: StageQueues,
    private readonly pollMs: number,
  ) {}

  async start(): Promise<void> {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    await this.listen();
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain()
      .catch((err) => log.warn({ err }, 'outbox relay pass failed; will retry'))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      const published = await this.publishBatch();
      if (published < BATCH) return;
    }
  }

  private async publishBatch(): Promise<number> {
    const client = await this.db.connect();
    try {
      // Two round trips per pass (was four): BEGIN with the claim, the mark with COMMIT.
      const rows = await beginAndClaimUnpublished(client, BATCH);
      const byStage = new Map<Stage, { payload: never; priority: number }[]>();
      for (const row of rows) {
        if (!isStage(row.topic)) throw new Error(`outbox row ${row.id} has unknown topic ${row.topic}`);
        const payload = JobPayloadSchemas[row.topic].parse(row.payload) as never;
        const list = byStage.get(row.topic) ?? [];
        list.push({ payload, priority: row.priority });
        byStage.set(row.topic, list);
      }
      for (const [stage, jobs] of byStage) await this.queues.addMany(stage, jobs);
      await markPublishedAndCommit(client, rows.map((r) => r.id));
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    let client: pg.Client | undefined;
    try {
      // The first server of a multi-host URL that takes the session (LISTEN needs a session).
      client = await connectSession(this.databaseUrl, 'lienthong-relay');
      const own = client;
      own.on('notification', () => this.kick());
      own.on('error', (err) => {
        log.warn({ err }, 'outbox listener lost; reconnecting');
        this.listener = undefined;
        own.end().catch(() => undefined);
        setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
      });
      await client.query('LISTEN lienthong_outbox');
      this.listener = client;
    } catch (err) {
      log.warn({ err }, 'outbox listener could not connect; polling meanwhile');
      client?.end().catch(() => undefined);
      setTimeout(() => void this.listen().catch(() => undefined), 1_000).unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }
}
