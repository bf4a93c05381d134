import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { admissionGate } from '../../../services/gateway/admission/admission-gate';
import type { Backlog } from '../../../services/gateway/admission/backlog-sampler';

// The gate in front of a handler that accepts everything, fed a backlog and a clock we set: what it
// admits between two looks at the pipeline.
describe('admission gate: documents admitted since the last look count before the next one', () => {
  let server: Server | undefined;
  let url: string;
  let look: Backlog;
  let clock: number;
  const lookAt = (at: number, queueDelayMs: number, drainPerSec: number | null): Backlog => ({ jobs: 200, queueDelayMs, perStageMs: {}, drainPerSec, lookedAt: at, sampledAt: at });

  beforeEach(async () => {
    clock = 1_000_000;
    const app = express();
    app.post('/v1/documents', admissionGate(() => look, { maxDelayMs: 2_000, margin: 0.5, minBacklog: 10 }, () => clock), (_req, res) => {
      res.status(202).json({ ok: true });
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/documents`;
  });
  afterEach(() => new Promise((r) => server!.close(r)));

  async function offer(n: number): Promise<{ admitted: number; retryAfter: (string | null)[] }> {
    let admitted = 0;
    const retryAfter: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(url, { method: 'POST' });
      await res.arrayBuffer();
      if (res.status === 202) admitted++;
      else {
        expect(res.status).to.equal(503);
        retryAfter.push(res.headers.get('retry-after'));
      }
    }
    return { admitted, retryAfter };
  }

  it('when the last look saw 600 ms of waiting draining at 100 documents/s, then 41 more are admitted (up to the 1 s mark) and the rest refused until the next look', async () => {
    look = lookAt(clock, 600, 100);
    const first = await offer(60);
    // The 41st makes 600 + 400 ms: at the mark, not past it; the 42nd would be past it.
    expect(first.admitted).to.equal(41);
    expect(first.retryAfter).to.have.length(19);
    expect(first.retryAfter.every((r) => Number(r) >= 1)).to.equal(true);

    // The next look, 250 ms later, saw the queue drained: admitting again, counted from that look.
    clock += 250;
    look = lookAt(clock, 100, 100);
    expect((await offer(50)).admitted).to.equal(50);
    // 100 ms seen + 91 admitted since (910 ms) is past the mark: the 92nd is refused.
    expect((await offer(45)).admitted).to.equal(41);
  });

  it('when nothing is known of the drain rate, then the look alone decides, as before', async () => {
    look = lookAt(clock, 600, null);
    expect((await offer(80)).admitted).to.equal(80);
  });

  it('when no new look comes (the sampler failing), then admissions older than 10 s stop counting', async () => {
    look = lookAt(clock, 0, 100);
    // 1 s of budget at 100/s: 101 admitted (the last one at the mark), then refusals.
    expect((await offer(105)).admitted).to.equal(101);
    clock += 5_000;
    expect((await offer(5)).admitted, '5 s later, still the same look: all 101 still count').to.equal(0);
    clock += 5_001;
    expect((await offer(5)).admitted, 'past 10 s they no longer do').to.equal(5);
  });
});
