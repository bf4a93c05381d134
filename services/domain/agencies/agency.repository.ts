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
  /** The agency's other identifier form (Decision-20 code ↔ QCVN 102 identifier), when known (migration 0060). */
  altCode: string | null;
  /** Served here (`local`), by a peer hub (`peer`, see peerId) or through the national axis (`axis`). */
  reachedVia: ReachedVia;
  peerId: string | null;
  /** When a peer or the axis last listed the agency; null for local agencies. */
  lastSeenAt: Date | null;
}

/** How an agency of the directory is reached (migration 0060). */
export type ReachedVia = 'local' | 'peer' | 'axis';

const COLUMNS = `code, name, parent_code AS "parentCode", level, channel, endpoint_url AS "endpointUrl", push_format AS "pushFormat",
  allow_private_endpoint AS "allowPrivateEndpoint", push_receipt AS "pushReceipt",
  alt_code AS "altCode", reached_via AS "reachedVia", peer_id AS "peerId", last_seen_at AS "lastSeenAt"`;

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
    `SELECT a.code, a.name, a.parent_code AS parent, a.level, a.channel, a.reached_via AS "reachedVia", a.peer_id AS "peerId",
            a.alt_code AS "altCode", to_char(a.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS "lastSeenAt",
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

/** An agency another hub or the national axis serves, as that directory lists it. */
export interface RemoteAgency {
  /** The code envelopes name the agency by (edXML OrganId). */
  code: string;
  /** The other identifier form when the listing gives it; an absent one keeps what is stored. */
  altCode?: string | null;
  name: string;
  reachedVia: 'peer' | 'axis';
  /** Required with reachedVia `peer`. */
  peerId?: string | null;
  seenAt?: Date;
}

/**
 * What upsertRemoteAgency did: `added`, `renamed` (the name changed), `updated` (another field
 * changed), `unchanged` (only last-seen moved), or nothing because the code is served here
 * (`kept-local`) or the axis listed an agency a peer hub serves (`kept-peer`: a direct link wins).
 */
export type RemoteUpsertOutcome = 'added' | 'renamed' | 'updated' | 'unchanged' | 'kept-local' | 'kept-peer';

/**
 * Records an agency learned from a peer hub or the axis. A local agency is never taken over by a
 * remote listing, and an agency a peer serves is not taken over by the axis.
 */
export async function upsertRemoteAgency(db: Queryable, a: RemoteAgency): Promise<RemoteUpsertOutcome> {
  if (a.code.startsWith('SANDBOX.')) throw new Error(`mã ${a.code}: tiền tố SANDBOX. dành cho cơ quan thử nghiệm`);
  if ((a.reachedVia === 'peer') !== Boolean(a.peerId)) throw new Error(`cơ quan ${a.code}: peerId đi cùng reachedVia 'peer' và chỉ với nó`);
  const altCode = a.altCode && a.altCode !== a.code ? a.altCode : null;
  const r = await db.query(
    `WITH prev AS (SELECT name, alt_code, reached_via, peer_id FROM agencies WHERE code = $1),
     written AS (
       INSERT INTO agencies (code, name, alt_code, reached_via, peer_id, last_seen_at, channel)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'axis' THEN 'axis' ELSE 'relay' END)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, alt_code = COALESCE(EXCLUDED.alt_code, agencies.alt_code),
         reached_via = EXCLUDED.reached_via, peer_id = EXCLUDED.peer_id, last_seen_at = EXCLUDED.last_seen_at, channel = EXCLUDED.channel
       WHERE agencies.reached_via <> 'local' AND NOT (agencies.reached_via = 'peer' AND EXCLUDED.reached_via = 'axis')
       RETURNING 1)
     SELECT (SELECT count(*) FROM written)::int AS written, p.name, p.alt_code AS "altCode", p.reached_via AS "reachedVia", p.peer_id AS "peerId"
       FROM (SELECT 1) one LEFT JOIN prev p ON true`,
    [a.code, a.name, altCode, a.reachedVia, a.peerId ?? null, a.seenAt ?? new Date()],
  );
  const row = r.rows[0] as { written: number; name: string | null; altCode: string | null; reachedVia: ReachedVia | null; peerId: string | null };
  if (row.reachedVia === null) return 'added';
  if (row.written === 0) return row.reachedVia === 'local' ? 'kept-local' : 'kept-peer';
  if (row.name !== a.name) return 'renamed';
  const changed = (altCode !== null && altCode !== row.altCode) || row.reachedVia !== a.reachedVia || row.peerId !== (a.peerId ?? null);
  return changed ? 'updated' : 'unchanged';
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
