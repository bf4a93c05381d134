import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, isKnownVariable, loadConfig } from '../../../services/config/config';
import { projectRoot } from '../../../services/config/project-root';

/**
 * README.md § Configuration is the operator's contract, and the start refuses unknown LIENTHONG_*
 * variables: so every variable the README documents must be one the configuration checker knows
 * (a documented variable refused at start was a real defect: LIENTHONG_SEARCH_COUNT_LIMIT and the
 * four LIENTHONG_PG_* settings). Read from the README itself, so the two cannot drift apart.
 */
describe('README § Configuration and the configuration checker', () => {
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  const end = readme.indexOf('\n## ', start + 5);
  const section = readme.slice(start, end);

  /**
   * The names of a table row's first cell: `LIENTHONG_A_B`, and the short forms the table uses for
   * siblings, `…_C` and `/ _C`, which stand for the first name with its last part(s) replaced.
   */
  function namesOfRow(cell: string): string[][] {
    const codes = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
    const first = codes[0]!;
    return codes.map((c) => {
      if (!/^(…|\.\.\.)?_/.test(c)) return [c];
      const suffix = c.replace(/^(…|\.\.\.)/, '');
      const parts = first.split('_');
      // Every way of replacing the first name's trailing parts by the suffix: one of them is meant.
      return Array.from({ length: parts.length - 2 }, (_, i) => `${parts.slice(0, parts.length - 1 - i).join('_')}${suffix}`);
    });
  }

  const rows = section.split('\n').filter((l) => /^\| `/.test(l));

  it('when the README is read, then its configuration table is found (the parser reads its rows)', () => {
    expect(start).to.be.greaterThan(0);
    expect(rows.length).to.be.greaterThan(50);
  });

  it('when a LIENTHONG_* variable is documented in the configuration table, then the checker knows it', () => {
    const unknown: string[] = [];
    for (const row of rows) {
      const cell = row.split('|')[1]!;
      for (const candidates of namesOfRow(cell)) {
        if (!candidates.some((n) => n.startsWith('LIENTHONG_'))) continue;
        if (!candidates.some(isKnownVariable)) unknown.push(candidates.join(' or '));
      }
    }
    expect(unknown).to.deep.equal([]);
  });

  it('when a LIENTHONG_* variable is named anywhere in the README, then the checker knows it', () => {
    const named = [...new Set(readme.match(/\bLIENTHONG_[A-Z0-9_]*[A-Z0-9]\b/g) ?? [])];
    expect(named.length).to.be.greaterThan(50);
    expect(named.filter((n) => !isKnownVariable(n))).to.deep.equal([]);
  });

  it('when the documented variables are set at start, then the configuration loads (no "Unknown configuration variable")', () => {
    const base = { LIENTHONG_DEV_MODE: '1', DATABASE_URL: 'postgres://x@localhost/y', REDIS_URL: 'redis://localhost' };
    const documented = {
      LIENTHONG_SEARCH_COUNT_LIMIT: '100',
      LIENTHONG_SEARCH_RANK_WINDOW: '100',
      LIENTHONG_PG_SHARED_BUFFERS: '256MB',
      LIENTHONG_PG_ALLOCATOR: 'glibc',
      LIENTHONG_PG_RANDOM_PAGE_COST: '1.1',
      LIENTHONG_PG_AUTOVACUUM_COST_DELAY: '10ms',
    };
    const c = loadConfig({ ...base, ...documented });
    expect(c.LIENTHONG_SEARCH_COUNT_LIMIT).to.equal(100);
    expect(loadConfig(base).LIENTHONG_SEARCH_COUNT_LIMIT).to.equal(2000);
    expect(() => loadConfig({ ...base, LIENTHONG_SEARCH_COUNT_LIMIT: '-1' })).to.throw(ConfigError, /LIENTHONG_SEARCH_COUNT_LIMIT/);
    expect(() => loadConfig({ ...base, LIENTHONG_SEARCH_COUNT_LIMT: '5' })).to.throw(ConfigError, /Unknown configuration variable/);
  });
});
