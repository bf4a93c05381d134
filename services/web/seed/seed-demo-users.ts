import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/pool';
import { inTransaction } from '../../db/pool';
import { createUser } from '../../domain/users/user.repository';
import type { Role } from '../../domain/users/roles';

export interface Login {
  username: string;
  password: string;
}

/** The shape of .data/dev-credentials.json that this fills in (seed-demo.ts writes the rest). */
export interface CredentialsWithUsers {
  agencies: { code: string; name: string; clerk?: Login }[];
  monitor?: Login;
  admin?: Login;
}

/** The Department of Home Affairs watches the rate (design §1); the province's office administers. */
const MONITOR_AGENCY_NAME = /Sở Nội vụ/;

function password(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Dev mode only: one clerk per demo agency, one monitor and one administrator, with random
 * passwords written into `creds` (the caller saves them to dev-credentials.json, mode 0600).
 * Usernames: `vanthu.<code>` (dots and digits of the agency code), `giamsat`, `quantri`.
 */
export async function seedDemoUsers(db: Db, creds: CredentialsWithUsers): Promise<CredentialsWithUsers> {
  const first = creds.agencies[0];
  if (!first) return creds;
  const monitorAgency = creds.agencies.find((a) => MONITOR_AGENCY_NAME.test(a.name)) ?? first;
  await inTransaction(db, async (tx) => {
    const add = async (agencyCode: string, username: string, role: Role, fullName: string): Promise<Login> => {
      const login = { username, password: password() };
      await createUser(tx, { agencyCode, username, role, password: login.password, fullName });
      return login;
    };
    for (const a of creds.agencies) a.clerk = await add(a.code, `vanthu.${a.code.toLowerCase()}`, 'clerk', `Văn thư ${a.name}`);
    creds.monitor = await add(monitorAgency.code, 'giamsat', 'monitor', 'Cán bộ giám sát');
    creds.admin = await add(first.code, 'quantri', 'admin', 'Quản trị hệ thống');
  });
  return creds;
}
