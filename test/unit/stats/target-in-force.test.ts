import { expect } from 'chai';
import { onTrack, targetInForce, type TargetRow } from '../../../services/stats/target-in-force';

describe('targets are data: the one in force for a period', () => {
  const rows: TargetRow[] = [
    { scope: 'province', value: 0.6, effectiveFrom: '2012-03-05', effectiveTo: null },
    { scope: 'province', value: 0.8, effectiveFrom: '2027-01-01', effectiveTo: null },
    { scope: 'A.1', value: 0.5, effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' },
  ];

  it('when a later province target has started, then it replaces the earlier one', () => {
    expect(targetInForce(rows, '2026-12-31', null)).to.equal(0.6);
    expect(targetInForce(rows, '2027-03-31', null)).to.equal(0.8);
  });

  it("when an agency has its own target, then it beats the province's while it lasts", () => {
    expect(targetInForce(rows, '2026-09-30', 'A.1')).to.equal(0.5);
    expect(targetInForce(rows, '2027-03-31', 'A.1')).to.equal(0.8);
    expect(targetInForce(rows, '2026-09-30', 'B.2')).to.equal(0.6);
  });

  it('when nothing had started yet, then there is no target', () => {
    expect(targetInForce(rows, '2010-01-01', null)).to.equal(null);
  });

  it('when the exact rate reaches the target, then it is on track; a rounded-up rate is not enough', () => {
    expect(onTrack(3, 5, 0.6)).to.equal(true);
    expect(onTrack(5999, 10000, 0.6)).to.equal(false);
    expect(onTrack(0, 0, 0.6)).to.equal(null);
  });
});
