import { expect } from 'chai';
import { DispatchStatus, EdxmlStatusCode } from '../../../contracts';
import { checkTransition } from '../../../services/domain/dispatches/status-transitions';
import { jitteredBackoff } from '../../../workers/runtime/backoff';

type Row = [code: EdxmlStatusCode, actor: 'recipient' | 'sender', from: DispatchStatus, pending: string | null, expected: DispatchStatus | 'same' | 'illegal'];

const { delivered, accepted, assigned, processing, completed, refused, revoked } = DispatchStatus;

/** Every row is one rule of standards §1 read as a transition; the illegal ones matter most. */
const TABLE: Row[] = [
  ['03', 'recipient', delivered, null, accepted],
  ['02', 'recipient', delivered, null, refused],
  ['04', 'recipient', accepted, null, assigned],
  ['04', 'recipient', assigned, null, assigned],
  ['05', 'recipient', assigned, null, processing],
  ['05', 'recipient', accepted, null, processing],
  ['06', 'recipient', processing, null, completed],
  ['06', 'recipient', accepted, null, completed],
  ['01', 'recipient', delivered, null, 'same'],
  ['13', 'sender', delivered, null, 'same'],
  ['13', 'sender', processing, null, 'same'],
  ['15', 'recipient', processing, 'takeback', revoked],
  ['16', 'recipient', processing, 'takeback', 'same'],
  // illegal
  ['06', 'recipient', delivered, null, 'illegal'], // completed before accepted
  ['04', 'recipient', delivered, null, 'illegal'],
  ['06', 'recipient', refused, null, 'illegal'], // a refused document cannot be completed
  ['03', 'recipient', refused, null, 'illegal'],
  ['02', 'recipient', accepted, null, 'illegal'],
  ['03', 'recipient', completed, null, 'illegal'],
  ['05', 'recipient', revoked, null, 'illegal'],
  ['13', 'recipient', delivered, null, 'illegal'], // only the sender asks back
  ['03', 'sender', delivered, null, 'illegal'], // only the recipient accepts
  ['15', 'recipient', processing, null, 'illegal'], // nothing to agree to
  ['16', 'recipient', accepted, null, 'illegal'],
  ['13', 'sender', accepted, 'takeback', 'illegal'], // already asked
  ['13', 'sender', revoked, null, 'illegal'],
];

describe('dispatch status transitions (edXML codes)', () => {
  for (const [code, actor, from, pending, expected] of TABLE) {
    it(`when the ${actor} posts ${code} on a ${from} dispatch${pending ? ' with a take-back pending' : ''}, then it is ${expected === 'illegal' ? 'refused' : expected === 'same' ? 'recorded without a state change' : `moved to ${expected}`}`, () => {
      const r = checkTransition(code, actor, from, pending);
      if (expected === 'illegal') {
        expect(r.ok).to.equal(false);
        if (!r.ok) expect(r.reason).to.be.a('string').and.not.empty;
      } else {
        expect(r).to.deep.equal({ ok: true, to: expected === 'same' ? undefined : expected });
      }
    });
  }
});

describe('retry backoff', () => {
  it('when attempts grow, then the delay grows exponentially, never passes the ceiling, and is jittered into its upper half', () => {
    const lo = jitteredBackoff(1000, 60_000, () => 0);
    const hi = jitteredBackoff(1000, 60_000, () => 1);
    expect([1, 2, 3, 4].map(lo)).to.deep.equal([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map(hi)).to.deep.equal([1000, 2000, 4000, 8000]);
    expect(hi(30)).to.equal(60_000);
    expect(lo(30)).to.equal(30_000);
  });
});
