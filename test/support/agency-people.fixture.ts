import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../services/db/pool';
import { createDepartment } from '../../services/domain/users/department.repository';
import type { Role } from '../../services/domain/users/roles';
import { createUser } from '../../services/domain/users/user.repository';
import { uniqueTag } from './test-env';

export interface Person {
  id: string;
  username: string;
  password: string;
}

export interface AgencyPeople {
  clerk: Person;
  leader: Person;
  departments: { id: string; name: string; head: Person; specialist: Person }[];
}

async function person(db: Db, agencyCode: string, role: Role, departmentId: string | null = null, email: string | null = null): Promise<Person> {
  const username = `${role.replace('_', '-')}.${uniqueTag(8).toLowerCase()}`;
  const password = `mk-${uniqueTag(12)}`;
  const { id } = await createUser(db, { agencyCode, username, role, password, departmentId, fullName: `${role} ${username}`, email });
  return { id, username, password };
}

/** An agency's people as Decree 30 has them: a văn thư, a leader, two units with a head and a specialist each. */
export async function createAgencyPeople(db: Db, agencyCode: string, opts: { emails?: boolean } = {}): Promise<AgencyPeople> {
  const mail = (who: string) => (opts.emails ? `${who}.${uniqueTag(6).toLowerCase()}@example.test` : null);
  const departments = [];
  for (const name of ['Phòng Tổng hợp', 'Phòng Nghiệp vụ']) {
    const { id } = await createDepartment(db, { agencyCode, name });
    departments.push({ id, name, head: await person(db, agencyCode, 'unit_head', id, mail('head')), specialist: await person(db, agencyCode, 'specialist', id, mail('specialist')) });
  }
  return { clerk: await person(db, agencyCode, 'clerk', null, mail('clerk')), leader: await person(db, agencyCode, 'leader', null, mail('leader')), departments };
}

/** pdftotext of PDF bytes (poppler, an independent reader). */
export function pdfText(pdf: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-pdftext-'));
  try {
    const file = path.join(dir, 'in.pdf');
    fs.writeFileSync(file, pdf);
    return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
