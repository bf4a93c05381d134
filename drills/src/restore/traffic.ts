import fs from 'node:fs';
import { submitOnce } from '../load';
import type { DrillStack } from '../drill-stack';

/** One accepted document as the client saw it: the id and when the 202 arrived (after the commit). */
export interface Accepted {
  id: string;
  acceptedAt: number;
}

/**
 * Steady traffic: one submission at a time with a short pause, each 202 appended to a list kept
 * outside the database (a file, as a client's own records would be). Refusals while the service
 * is down or broken are counted, not kept.
 */
export class Traffic {
  readonly accepted: Accepted[] = [];
  refused = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(private readonly stack: DrillStack, private readonly listFile: string, private readonly pauseMs = 250) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const r = await submitOnce(this.stack);
        if (r.status === 202 && r.id && !r.replayed) {
          const a = { id: r.id, acceptedAt: Date.now() };
          this.accepted.push(a);
          fs.appendFileSync(this.listFile, JSON.stringify(a) + '\n');
        } else this.refused++;
        await new Promise((res) => setTimeout(res, this.pauseMs));
      }
    })();
  }

  /** Forgets the documents a restore gave up (in place: the loop keeps appending). */
  keepOnly(ids: Set<string>): void {
    const kept = this.accepted.filter((a) => ids.has(a.id));
    this.accepted.splice(0, this.accepted.length, ...kept);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Waits until `n` more documents were accepted (bounded). */
  async more(n: number, timeoutMs = 120_000): Promise<void> {
    const target = this.accepted.length + n;
    const deadline = Date.now() + timeoutMs;
    while (this.accepted.length < target) {
      if (Date.now() > deadline) throw new Error(`traffic: ${n} more documents not accepted within ${timeoutMs / 1000} s (refused ${this.refused})`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
}
