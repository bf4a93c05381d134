import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';
import { IN_FLIGHT_DOCUMENT_STATUSES, OPEN_DISPATCH_STATUSES } from '../../../services/pipeline/stage-order';

const MIGRATIONS = path.join(projectRoot(), 'infra', 'migrations');

/**
 * The array a migration's `CREATE [OR REPLACE] FUNCTION name() … $$ SELECT ARRAY[…]::text[] $$`
 * (SQL) or `$$ BEGIN RETURN ARRAY[…]::text[]; END $$` (PL/pgSQL, since 0105) returns, from the last migration (in name order) that defines it: the definition in force.
 */
function sqlStatusList(name: string, dir = MIGRATIONS): { file: string; statuses: string[] } | undefined {
  const re = new RegExp(`CREATE\\s+(?:OR\\s+REPLACE\\s+)?FUNCTION\\s+${name}\\s*\\(\\s*\\)[^$]*\\$\\$\\s*(?:SELECT|BEGIN\\s+RETURN)\\s+ARRAY\\[([^\\]]*)\\]::text\\[\\]\\s*(?:;\\s*END\\s*)?\\$\\$`, 'gi');
  let found: { file: string; statuses: string[] } | undefined;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = fs.readFileSync(path.join(dir, file), 'utf8').replace(/--[^\n]*/g, '');
    for (const m of sql.matchAll(re)) {
      found = { file, statuses: m[1]!.split(',').map((s) => s.trim().replace(/^'(.*)'$/, '$1')) };
    }
  }
  return found;
}

describe('pipeline: the SQL and TypeScript definitions of the in-flight statuses agree', () => {
  it('when the migrations are read, then lienthong_open_dispatch_statuses() returns OPEN_DISPATCH_STATUSES', () => {
    const sql = sqlStatusList('lienthong_open_dispatch_statuses');
    expect(sql, 'a migration defines lienthong_open_dispatch_statuses()').to.not.equal(undefined);
    expect(sql!.statuses).to.deep.equal([...OPEN_DISPATCH_STATUSES]);
  });

  it('when the migrations are read, then lienthong_in_flight_document_statuses() returns IN_FLIGHT_DOCUMENT_STATUSES', () => {
    const sql = sqlStatusList('lienthong_in_flight_document_statuses');
    expect(sql, 'a migration defines lienthong_in_flight_document_statuses()').to.not.equal(undefined);
    expect(sql!.statuses).to.deep.equal([...IN_FLIGHT_DOCUMENT_STATUSES]);
  });

  it('when a later migration redefines the function with another list, then the reader takes the later one (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-statuses-'));
    try {
      fs.writeFileSync(path.join(dir, '0001_a.sql'), `CREATE FUNCTION f_x() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY['pending', 'delivering']::text[] $$;`);
      fs.writeFileSync(path.join(dir, '0002_b.sql'), `-- CREATE FUNCTION f_x() … $$ SELECT ARRAY['commented']::text[] $$\nCREATE OR REPLACE FUNCTION f_x() RETURNS text[]\n  LANGUAGE sql IMMUTABLE\n  AS $$ SELECT ARRAY['pending', 'delivering', 'queued']::text[] $$;`);
      expect(sqlStatusList('f_x', dir)).to.deep.equal({ file: '0002_b.sql', statuses: ['pending', 'delivering', 'queued'] });
      expect(sqlStatusList('f_x', dir)!.statuses).to.not.deep.equal([...OPEN_DISPATCH_STATUSES]);
      fs.writeFileSync(path.join(dir, '0003_c.sql'), `CREATE OR REPLACE FUNCTION f_x() RETURNS text[]\n  LANGUAGE plpgsql IMMUTABLE\n  AS $$ BEGIN RETURN ARRAY['pending']::text[]; END $$;`);
      expect(sqlStatusList('f_x', dir)).to.deep.equal({ file: '0003_c.sql', statuses: ['pending'] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
