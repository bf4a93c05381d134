import { expect } from 'chai';
import { AUTOVACUUM_COST_DELAY, backgroundSettings } from '../../../infra/embedded/postgres-background';

describe('the embedded PostgreSQL background pacing', () => {
  it('when nothing is named, then autovacuum sleeps the default delay between its cost rounds', () => {
    expect(backgroundSettings()).to.deep.equal({ autovacuum_vacuum_cost_delay: `'${AUTOVACUUM_COST_DELAY}'` });
    expect(backgroundSettings('  ')).to.deep.equal({ autovacuum_vacuum_cost_delay: `'${AUTOVACUUM_COST_DELAY}'` });
  });

  it('when an operator names a delay, then it replaces the default; one PostgreSQL would not read is refused', () => {
    expect(backgroundSettings('2ms')).to.deep.equal({ autovacuum_vacuum_cost_delay: "'2ms'" });
    expect(backgroundSettings('0')).to.deep.equal({ autovacuum_vacuum_cost_delay: "'0'" });
    expect(() => backgroundSettings("10ms'; fsync = off")).to.throw(/PostgreSQL duration/);
    expect(() => backgroundSettings('ten')).to.throw(/LIENTHONG_PG_AUTOVACUUM_COST_DELAY/);
  });
});
