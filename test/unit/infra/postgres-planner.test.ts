import { expect } from 'chai';
import { RANDOM_PAGE_COST, plannerSettings } from '../../../infra/embedded/postgres-planner';

describe('the embedded PostgreSQL planner costs', () => {
  it('when nothing is named, then a page read out of order is priced near a sequential one', () => {
    expect(plannerSettings()).to.deep.equal({ random_page_cost: RANDOM_PAGE_COST });
    expect(plannerSettings('  ')).to.deep.equal({ random_page_cost: RANDOM_PAGE_COST });
    expect(Number(RANDOM_PAGE_COST)).to.be.below(2);
  });

  it('when an operator names a cost, then it replaces the default; anything but a positive number is refused', () => {
    expect(plannerSettings('4')).to.deep.equal({ random_page_cost: '4' });
    expect(plannerSettings(' 1.5 ')).to.deep.equal({ random_page_cost: '1.5' });
    expect(() => plannerSettings('0')).to.throw(/LIENTHONG_PG_RANDOM_PAGE_COST/);
    expect(() => plannerSettings('-1')).to.throw(/positive number/);
    expect(() => plannerSettings("1.1\nfsync = off")).to.throw(/positive number/);
    expect(() => plannerSettings('cheap')).to.throw(/LIENTHONG_PG_RANDOM_PAGE_COST/);
  });
});
