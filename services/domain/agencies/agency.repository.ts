import type { AgencyView, Channel } from '../../../contracts';
import type { Queryable } from '../../db/pool';

export interface AgencyRow {
  code: string;
  name: string;
  parentCode: string | null;
  level: number;
  channel: Channel;
  endpointUrl: string | null;
  pushFormat: 'edxml' | 'json';
  /** The operator allowed a push endpoint on a private/loopback/link-local address (migration 0025). */
  allowPrivateEndpoint: boolean;
  /** A push counts delivered only with a receipt naming the delivery (migration 0025). */
  pushReceipt: boolean;
}

const COLUMNS = `code, name, parent_code AS "parentCode", level, channel, endpoint_url AS "endpointUrl", push_format AS "pushFormat",
  allow_private_endpoint AS "allowPrivateEndpoint", push_receipt AS "pushReceipt"`;

export async function findAgency(db: Queryable, code: string): Promise<AgencyRow | undefined> {
  const r = await db.query<AgencyRow>(`SELECT ${COLUMNS} FROM agencies WHERE code = $1`, [code]);
  return r.rows[0];
}

export async function findAgencies(db: Queryable, codes: string[]): Promise<AgencyRow[]> {
  const r = await db.query<AgencyRow>(`SELECT ${COLUMNS} FROM agencies WHERE code = ANY($1::text[])`, [codes]);
  return r.rows;
}

export async function listAgencies(db: Queryable): Promise<AgencyView[]> {
  const r = await db.query(
    `SELECT a.code, a.name, a.parent_code AS parent, a.level, a.channel,
            COALESCE(array_agg(m.group_id ORDER BY m.group_id) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS groups
       FROM agencies a LEFT JOIN agency_group_members m ON m.agency_code = a.code
      GROUP BY a.code ORDER BY a.code`,
  );
  return r.rows;
}

export interface NewAgency {
  code: string;
  name: string;
  parentCode?: string | null;
  level?: number;
  channel?: Channel;
  endpointUrl?: string | null;
  pushFormat?: 'edxml' | 'json';
  /** Left as it is on an existing agency when undefined. */
  allowPrivateEndpoint?: boolean | undefined;
  /** Left as it is on an existing agency when undefined. */
  pushReceipt?: boolean | undefined;
}

export async function upsertAgency(db: Queryable, a: NewAgency): Promise<void> {
  await db.query(
    `INSERT INTO agencies (code, name, parent_code, level, channel, endpoint_url, push_format, allow_private_endpoint, push_receipt)
     VALUES ($1, $2, $3, $4, $5, $6, $7, COALESCE($8, false), COALESCE($9, false))
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
       level = EXCLUDED.level, channel = EXCLUDED.channel, endpoint_url = EXCLUDED.endpoint_url,
       push_format = EXCLUDED.push_format,
       allow_private_endpoint = COALESCE($8, agencies.allow_private_endpoint),
       push_receipt = COALESCE($9, agencies.push_receipt)`,
    [a.code, a.name, a.parentCode ?? null, a.level ?? 1, a.channel ?? 'hosted', a.endpointUrl ?? null, a.pushFormat ?? 'edxml', a.allowPrivateEndpoint ?? null, a.pushReceipt ?? null],
  );
}

export async function upsertGroup(db: Queryable, id: string, name: string): Promise<void> {
  await db.query(
    `INSERT INTO agency_groups (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
    [id, name],
  );
}

export async function addGroupMember(db: Queryable, groupId: string, agencyCode: string): Promise<void> {
  await db.query(
    `INSERT INTO agency_group_members (group_id, agency_code) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
    [groupId, agencyCode],
  );
}

export interface GroupMembers {
  groupId: string;
  members: string[];
}

export async function findGroups(db: Queryable, ids: string[]): Promise<GroupMembers[]> {
  const r = await db.query(
    `SELECT g.id AS "groupId", COALESCE(array_agg(m.agency_code ORDER BY m.agency_code)
            FILTER (WHERE m.agency_code IS NOT NULL), '{}') AS members
       FROM agency_groups g LEFT JOIN agency_group_members m ON m.group_id = g.id
      WHERE g.id = ANY($1::text[]) GROUP BY g.id`,
    [ids],
  );
  return r.rows;
}
