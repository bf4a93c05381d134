import { expect } from 'chai';
import { decide, expectedDelayMs, refuseAboveMs } from '../../../services/gateway/admission/admission-gate';
import { BacklogSampler, summarise, takenRate, type Backlog } from '../../../services/gateway/admission/backlog-sampler';
import type { Queryable } from '../../../services/db/pool';
import type IORedis from 'ioredis';

// Bound 2 s, half of it for queueing: refuse past 1 s of observed waiting.
const policy = { maxDelayMs: 2_000, margin: 0.5, minBacklog: 100 };
const backlog = (jobs: number, queueDelayMs: number, drainPerSec: number | null = null): Backlog => ({ jobs, queueDelayMs, perStageMs: {}, drainPerSec, lookedAt: 1, sampledAt: 1 });

describe('admission decision: refuse only what the pipeline cannot finish in time', () => {
  it('when work waits less than the margin share of the bound, or the backlog is short, then documents are admitted', () => {
    expect(refuseAboveMs(policy)).to.equal(1_000);
    expect(decide(backlog(5_000, 900), policy, false).admit).to.equal(true);
    expect(decide(backlog(50, 60_000), policy, false).admit).to.equal(true);
    expect(decide(backlog(0, 0), policy, false).admit).to.equal(true);
  });

  it('when work waits longer than the mark, then it refuses with a Retry-After that grows with the excess, capped at 60 s', () => {
    const near = decide(backlog(300, 1_500), policy, false);
    const far = decide(backlog(300, 9_000), policy, false);
    expect(near).to.deep.equal({ admit: false, retryAfterS: 1 });
    expect(far.admit).to.equal(false);
    expect(far.retryAfterS).to.be.greaterThan(near.retryAfterS!);
    expect(decide(backlog(300, 3_600_000), policy, false).retryAfterS).to.equal(60);
  });

  it('when the cost of the jobs differs, then it is the waiting that counts, not the number of jobs', () => {
    // Few heavy jobs waiting long are refused; many light ones going through quickly are not.
    expect(decide(backlog(150, 4_000), policy, false).admit).to.equal(false);
    expect(decide(backlog(20_000, 200), policy, false).admit).to.equal(true);
  });

  it('when it is refusing, then it resumes only below 80% of the mark (no flapping at the edge)', () => {
    const edge = backlog(300, 900); // under the 1 s mark, above the 800 ms resume mark
    expect(decide(edge, policy, false).admit).to.equal(true);
    expect(decide(edge, policy, true).admit).to.equal(false);
    expect(decide(backlog(300, 700), policy, true).admit).to.equal(true);
  });

  it('when the bound is 0, then nothing is ever refused', () => {
    expect(decide(backlog(1e9, 1e9), { maxDelayMs: 0, margin: 0.5, minBacklog: 0 }, true).admit).to.equal(true);
  });

  it('when the queues and the outbox are looked at, then the delay is the outbox lag plus each stage\'s oldest waiting job, and the jobs add up', () => {
    const at = 100_000;
    const b = summarise(
      [
        { queue: 'convert', waiting: 10, active: 4, oldestTimestamp: at - 700, added: 0 },
        { queue: 'sign', waiting: 0, active: 1, oldestTimestamp: null, added: 0 },
        { queue: 'deliver', waiting: 200, active: 16, oldestTimestamp: at - 250, added: 0 },
      ],
      30,
      40.4,
      at,
    );
    expect(b).to.deep.equal({ jobs: 261, queueDelayMs: 990, perStageMs: { outbox: 40, convert: 700, sign: 0, deliver: 250 }, drainPerSec: null, lookedAt: at, sampledAt: at });
    // A clock a little behind the job's writer never makes a negative wait.
    expect(summarise([{ queue: 'route', waiting: 1, active: 0, oldestTimestamp: at + 5, added: 0 }], 0, null, at).queueDelayMs).to.equal(0);
  });

  it('when a stage was seen taking jobs at some rate, then a burst waiting there counts at once, before its oldest job has aged', () => {
    const at = 50_000;
    // 300 deliveries just queued (the oldest 50 ms old), taken at 100/s: 3 s ahead, not 50 ms.
    const burst = summarise([{ queue: 'deliver', waiting: 300, active: 16, oldestTimestamp: at - 50, added: 900 }], 0, 0, at, { deliver: 100 });
    expect(burst.perStageMs.deliver).to.equal(3_000);
    expect(decide(burst, policy, false).admit).to.equal(false);
    // An old job in a queue that drains fast still counts by its age.
    expect(summarise([{ queue: 'sign', waiting: 2, active: 4, oldestTimestamp: at - 1_200, added: 10 }], 0, 0, at, { sign: 500 }).perStageMs.sign).to.equal(1_200);
  });

  it('when stages were seen taking jobs, then the backlog drains at the slowest of their rates', () => {
    const at = 20_000;
    const q = (queue: string) => ({ queue, waiting: 5, active: 1, oldestTimestamp: at - 10, added: 100 });
    expect(summarise([q('convert'), q('sign'), q('deliver')], 0, 0, at, { convert: 150, sign: 400, deliver: 900 }).drainPerSec).to.equal(150);
    expect(summarise([q('convert'), q('sign')], 0, 0, at, { sign: 400 }).drainPerSec, 'a stage without a rate does not count').to.equal(400);
    expect(summarise([q('convert')], 0, 0, at, {}).drainPerSec).to.equal(null);
  });

  it('when documents were admitted since the last look, then a document now waits behind them too, and the gate closes before the next look', () => {
    // Seen: 600 ms of waiting, the slowest stage draining 100 documents/s; the mark is 1 s.
    const seen = backlog(300, 600, 100);
    expect(expectedDelayMs(seen, 0)).to.equal(600);
    expect(expectedDelayMs(seen, 30)).to.equal(900);
    expect(decide(seen, policy, false, 30).admit).to.equal(true);
    // 41 admitted since the look: 600 + 410 ms, past the mark, although the look alone says 600.
    expect(decide(seen, policy, false, 41)).to.deep.equal({ admit: false, retryAfterS: 1 });
    // Nothing known about the drain rate: the look alone decides.
    expect(decide(backlog(300, 600), policy, false, 1_000).admit).to.equal(true);
    // A short backlog plus what was admitted since counts towards the minimum.
    expect(decide(backlog(10, 600, 10), policy, false, 90).admit).to.equal(false);
  });

  it('when the rate a stage takes jobs is measured, then only looks where jobs waited at both ends count, and a counter reset is skipped', () => {
    const prev = { at: 10_000, waiting: 100, added: 1_000 };
    const q = (waiting: number, added: number) => ({ queue: 'convert', waiting, active: 4, oldestTimestamp: 1, added });
    // 500 ms: 60 added, the queue grew by 10 -> 50 taken -> 100/s.
    expect(takenRate(prev, q(110, 1_060), 10_500)).to.equal(100);
    expect(takenRate({ ...prev, waiting: 0 }, q(110, 1_060), 10_500), 'idle before: its rate is the arrivals').to.equal(null);
    expect(takenRate(prev, q(0, 1_060), 10_500), 'emptied: it could have taken more').to.equal(null);
    expect(takenRate(prev, q(5, 3), 10_500), 'BullMQ reset its counter').to.equal(null);
  });

  it('when the pipeline cannot be asked after a look that was over the mark, then the gate admits (it does not go on refusing on that look)', async () => {
    let down = false;
    const db = { query: async () => (down ? Promise.reject(new Error('PostgreSQL down')) : { rows: [{ unrelayed: 0, lag_ms: null }] }) } as unknown as Queryable;
    // One queue, 150 jobs waiting, the oldest added 5 s ago.
    const redis = { eval: async () => (down ? Promise.reject(new Error('Redis down')) : [150, 1, String(Date.now() - 5_000), 100]) } as unknown as IORedis;
    const errors: unknown[] = [];
    const sampler = new BacklogSampler(db, redis, 'p', ['convert'], 0, (err) => errors.push(err));
    await sampler.sample();
    expect(decide(sampler.backlog(0), policy, false).admit, 'the look: 5 s of waiting').to.equal(false);
    down = true;
    sampler.backlog();
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).to.have.length(1);
    const b = sampler.backlog(0);
    expect(b.queueDelayMs).to.equal(0);
    expect(decide(b, policy, true).admit).to.equal(true);
  });
});
