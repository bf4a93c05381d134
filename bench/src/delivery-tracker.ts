import pg from 'pg';

/**
 * Knows when a document reached its last recipient without polling: the workers NOTIFY
 * 'lienthong_dispatch' with {dispatchId, documentId, status} on every delivery outcome.
 * Notifications can beat the 202 to the client in theory, so counts for unknown ids are kept.
 */
export class DeliveryTracker {
  private client: pg.Client;
  private readonly waiting = new Map<string, { left: number; failed: number; done: (r: { at: number; failed: number }) => void }>();
  private readonly early = new Map<string, { n: number; failed: number }>();

  constructor(databaseUrl: string) {
    this.client = new pg.Client({ connectionString: databaseUrl });
  }

  async start(): Promise<void> {
    await this.client.connect();
    this.client.on('notification', (m) => this.onNotification(m.payload ?? ''));
    await this.client.query('LISTEN lienthong_dispatch');
  }

  async stop(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  /** Resolves with the epoch time of the last delivery outcome, or rejects after `timeoutMs`. */
  waitFor(documentId: string, recipients: number, timeoutMs: number): Promise<{ at: number; failed: number }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(documentId);
        reject(new Error(`document ${documentId} not delivered to ${recipients} recipients within ${timeoutMs} ms`));
      }, timeoutMs);
      const seen = this.early.get(documentId) ?? { n: 0, failed: 0 };
      this.early.delete(documentId);
      const entry = {
        left: recipients - seen.n,
        failed: seen.failed,
        done: (r: { at: number; failed: number }) => {
          clearTimeout(timer);
          this.waiting.delete(documentId);
          resolve(r);
        },
      };
      if (entry.left <= 0) return entry.done({ at: nowMs(), failed: entry.failed });
      this.waiting.set(documentId, entry);
    });
  }

  private onNotification(payload: string): void {
    const at = nowMs();
    let msg: { documentId?: string; dispatchId?: string; status?: string };
    try {
      msg = JSON.parse(payload);
    } catch {
      return;
    }
    // Only per-dispatch delivery outcomes count (a revoke notifies without a dispatchId).
    if (!msg.documentId || !msg.dispatchId || !['delivered', 'failed', 'paper'].includes(msg.status ?? '')) return;
    const failed = msg.status === 'failed' ? 1 : 0;
    const entry = this.waiting.get(msg.documentId);
    if (!entry) {
      const e = this.early.get(msg.documentId) ?? { n: 0, failed: 0 };
      this.early.set(msg.documentId, { n: e.n + 1, failed: e.failed + failed });
      return;
    }
    entry.failed += failed;
    if (--entry.left <= 0) entry.done({ at, failed: entry.failed });
  }
}

/** Epoch milliseconds with sub-millisecond precision (comparable across processes). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
