import { expect } from 'chai';
import { decide, refuseAboveMs } from '../../../services/gateway/admission/admission-gate';
import { summarise, type Backlog } from '../../../services/gateway/admission/backlog-sampler';

// Bound 2 s, half of it for queueing: refuse past 1 s of observed waiting.
const policy = { maxDelayMs: 2_000, margin: 0.5, minBacklog: 100 };
const backlog = (jobs: number, queueDelayMs: number): Backlog => ({ jobs, queueDelayMs, perStageMs: {}, sampledAt: 1 });

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
        { queue: 'convert', waiting: 10, active: 4, oldestTimestamp: at - 700 },
        { queue: 'sign', waiting: 0, active: 1, oldestTimestamp: null },
        { queue: 'deliver', waiting: 200, active: 16, oldestTimestamp: at - 250 },
      ],
      30,
      40.4,
      at,
    );
    expect(b).to.deep.equal({ jobs: 261, queueDelayMs: 990, perStageMs: { outbox: 40, convert: 700, sign: 0, deliver: 250 }, sampledAt: at });
    // A clock a little behind the job's writer never makes a negative wait.
    expect(summarise([{ queue: 'route', waiting: 1, active: 0, oldestTimestamp: at + 5 }], 0, null, at).queueDelayMs).to.equal(0);
  });
});
