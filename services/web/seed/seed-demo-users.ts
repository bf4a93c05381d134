import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/pool';
import { inTransaction } from '../../db/pool';
import { createDepartment } from '../../domain/users/department.repository';
import { createUser } from '../../domain/users/user.repository';
import type { Role } from '../../domain/users/roles';

export interface Login {
  username: string;
  password: string;
}

/** The shape of .data/dev-credentials.json that this fills in (seed-demo.ts writes the rest). */
export interface DemoDepartment {
  name: string;
  head: Login;
  specialist: Login;
}

export interface CredentialsWithUsers {
  agencies: { code: string; name: string; clerk?: Login; leader?: Login; departments?: DemoDepartment[] }[];
  monitor?: Login;
  admin?: Login;
}

/** The Department of Home Affairs watches the rate (design §1); the province's office administers. */
const MONITOR_AGENCY_NAME = /Sở Nội vụ/;

function password(): string {
  return randomBytes(12).toString('base64url');
}

/** Two units per demo agency, each with a head (lãnh đạo phòng) and a specialist (chuyên viên). */
const DEMO_DEPARTMENTS = [
  { slug: 'th', name: 'Phòng Tổng hợp' },
  { slug: 'nv', name: 'Phòng Nghiệp vụ' },
];

/**
 * Dev mode only: per demo agency a clerk, a leader and two departments with a head and a
 * specialist each; one monitor and one administrator — random passwords written into `creds`
 * (the caller saves them to dev-credentials.json, mode 0600). Usernames: `vanthu.<code>`,
 * `lanhdao.<code>`, `truongphong.<slug>.<code>`, `chuyenvien.<slug>.<code>`, `giamsat`, `quantri`.
 */
export async function seedDemoUsers(db: Db, creds: CredentialsWithUsers): Promise<CredentialsWithUsers> {
  const first = creds.agencies[0];
  if (!first) return creds;
  const monitorAgency = creds.agencies.find((a) => MONITOR_AGENCY_NAME.test(a.name)) ?? first;
  await inTransaction(db, async (tx) => {
    const add = async (agencyCode: string, username: string, role: Role, fullName: string, departmentId: string | null = null): Promise<Login> => {
      const login = { username, password: password() };
      await createUser(tx, { agencyCode, username, role, password: login.password, fullName, departmentId });
      return login;
    };
    for (const a of creds.agencies) {
      const code = a.code.toLowerCase();
      a.clerk = await add(a.code, `vanthu.${code}`, 'clerk', `Văn thư ${a.name}`);
      a.leader = await add(a.code, `lanhdao.${code}`, 'leader', `Lãnh đạo ${a.name}`);
      a.departments = [];
      for (const d of DEMO_DEPARTMENTS) {
        const { id } = await createDepartment(tx, { agencyCode: a.code, name: d.name });
        a.departments.push({
          name: d.name,
          head: await add(a.code, `truongphong.${d.slug}.${code}`, 'unit_head', `Trưởng ${d.name}`, id),
          specialist: await add(a.code, `chuyenvien.${d.slug}.${code}`, 'specialist', `Chuyên viên ${d.name}`, id),
        });
      }
    }
    creds.monitor = await add(monitorAgency.code, 'giamsat', 'monitor', 'Cán bộ giám sát');
    creds.admin = await add(first.code, 'quantri', 'admin', 'Quản trị hệ thống');
  });
  return creds;
}
