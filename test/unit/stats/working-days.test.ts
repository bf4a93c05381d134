import { expect } from 'chai';
import { nextWorkingDay, nextWorkingDayTable } from '../../../services/stats/working-days';

describe('working days: Monday to Friday minus public holidays', () => {
  const none = new Set<string>();

  it('when a document is sent on a Friday or over the weekend, then the next working day is Monday', () => {
    expect(nextWorkingDay('2026-08-14', none)).to.equal('2026-08-17');
    expect(nextWorkingDay('2026-08-15', none)).to.equal('2026-08-17');
    expect(nextWorkingDay('2026-08-16', none)).to.equal('2026-08-17');
    expect(nextWorkingDay('2026-07-06', none)).to.equal('2026-07-07');
  });

  it('when the next day is a holiday, then it is skipped too', () => {
    expect(nextWorkingDay('2026-09-01', new Set(['2026-09-02']))).to.equal('2026-09-03');
    // Friday 1 May 2026 is a holiday: Thursday 30 April (also one) → Monday 4 May.
    expect(nextWorkingDay('2026-04-29', new Set(['2026-04-30', '2026-05-01']))).to.equal('2026-05-04');
  });

  it('when a table is asked for, then it maps every day of the range', () => {
    const t = nextWorkingDayTable('2026-08-13', '2026-08-17', none);
    expect(t.days).to.deep.equal(['2026-08-13', '2026-08-14', '2026-08-15', '2026-08-16', '2026-08-17']);
    expect(t.next).to.deep.equal(['2026-08-14', '2026-08-17', '2026-08-17', '2026-08-17', '2026-08-18']);
  });
});
