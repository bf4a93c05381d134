import { expect } from 'chai';
import { decide } from '../../../services/gateway/admission/admission-gate';
import type { Backlog } from '../../../services/gateway/admission/backlog-sampler';

const policy = { maxDelayMs: 2_000, minBacklog: 100 };
const backlog = (jobs: number, drainPerSec: number | null): Backlog => ({
  jobs,
  drainPerSec,
  estimatedDelayMs: jobs === 0 ? 0 : drainPerSec ? (jobs / drainPerSec) * 1000 : Infinity,
  sampledAt: 1,
});

describe('admission decision: refuse only what the pipeline cannot finish in time', () => {
  it('when the backlog drains within the bound, or is short, then documents are admitted', () => {
    expect(decide(backlog(1_000, 1_000), policy, false).admit).to.equal(true);
    expect(decide(backlog(50, 0.001), policy, false).admit).to.equal(true);
    expect(decide(backlog(0, null), policy, false).admit).to.equal(true);
  });

  it('when the backlog would take longer than the bound, then it refuses with a Retry-After that grows with the excess, capped at 60 s', () => {
    const near = decide(backlog(3_000, 1_000), policy, false);
    const far = decide(backlog(30_000, 1_000), policy, false);
    expect(near).to.deep.equal({ admit: false, retryAfterS: 2 });
    expect(far.admit).to.equal(false);
    expect(far.retryAfterS).to.be.greaterThan(near.retryAfterS!);
    expect(decide(backlog(10_000_000, 1), policy, false).retryAfterS).to.equal(60);
  });

  it('when nothing drains (workers down) and the backlog is long, then it refuses and asks for half a minute', () => {
    expect(decide(backlog(500, null), policy, false)).to.deep.equal({ admit: false, retryAfterS: 30 });
  });

  it('when it is refusing, then it resumes only below 80% of the bound (no flapping at the edge)', () => {
    const edge = backlog(1_900, 1_000); // 1.9 s: under the bound, above the resume mark
    expect(decide(edge, policy, false).admit).to.equal(true);
    expect(decide(edge, policy, true).admit).to.equal(false);
    expect(decide(backlog(1_500, 1_000), policy, true).admit).to.equal(true);
  });

  it('when the bound is 0, then nothing is ever refused', () => {
    expect(decide(backlog(1e9, null), { maxDelayMs: 0, minBacklog: 0 }, true).admit).to.equal(true);
  });
});
