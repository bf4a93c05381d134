import { expect } from 'chai';
import { isRealDay, parseQuarter, periodsBetween, quarterBounds, quarterKey, vnDay, vnStartOf } from '../../../services/stats/periods';

describe('periods: Vietnam calendar days, months and quarters', () => {
  it('when an instant is late in the UTC evening, then in Vietnam it is already the next day', () => {
    expect(vnDay(new Date('2026-10-06T16:59:59Z'))).to.equal('2026-10-06');
    expect(vnDay(new Date('2026-10-06T17:00:00Z'))).to.equal('2026-10-07');
    expect(vnStartOf('2026-10-07').toISOString()).to.equal('2026-10-06T17:00:00.000Z');
  });

  it('when a quarter is named, then its bounds are its first and last days', () => {
    expect(quarterBounds(2026, 4)).to.deep.equal({ from: '2026-10-01', to: '2026-12-31' });
    expect(quarterBounds(2028, 1)).to.deep.equal({ from: '2028-01-01', to: '2028-03-31' });
    expect(quarterKey('2026-09-30')).to.equal('2026-Q3');
  });

  it('when a quarter is written Q4, 4, q4 or IV, then it parses; anything else does not', () => {
    expect(['Q4', '4', 'q4', 'IV'].map(parseQuarter)).to.deep.equal([4, 4, 4, 4]);
    expect(['Q5', '0', '', 'V', 'Q44'].map(parseQuarter)).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
  });

  it('when a range crosses months, then the periods are clipped to it', () => {
    expect(periodsBetween('2026-08-15', '2026-10-10', 'month')).to.deep.equal([
      { key: '2026-08', from: '2026-08-15', to: '2026-08-31' },
      { key: '2026-09', from: '2026-09-01', to: '2026-09-30' },
      { key: '2026-10', from: '2026-10-01', to: '2026-10-10' },
    ]);
    expect(periodsBetween('2026-08-15', '2027-01-10', 'quarter').map((p) => p.key)).to.deep.equal(['2026-Q3', '2026-Q4', '2027-Q1']);
  });

  it('when a date does not exist, then it is not a real day', () => {
    expect(isRealDay('2026-02-30')).to.equal(false);
    expect(isRealDay('2028-02-29')).to.equal(true);
    expect(isRealDay('2026-2-3')).to.equal(false);
  });
});
