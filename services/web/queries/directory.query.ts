import type { Queryable } from '../../db/pool';

export interface DirectoryEntry {
  code: string;
  name: string;
  channel: string;
  groups: string[];
  /** Where the agency is reached (migration 0060): here, through a peer hub, or through the national axis. */
  reachedVia: 'local' | 'peer' | 'axis';
  peerId: string | null;
  altCode: string | null;
  lastSeenAt: Date | null;
}

export interface GroupEntry {
  id: string;
  name: string;
  members: number;
}

/**
 * The directory for the recipient picker: every agency with its groups, and every group. Agencies
 * known only through the national axis (the whole country's directory, far too long for a picker)
 * are left out unless asked for (the admin directory page shows them).
 */
export async function directory(db: Queryable, opts: { withAxis?: boolean } = {}): Promise<{ agencies: DirectoryEntry[]; groups: GroupEntry[] }> {
  const [a, g] = await Promise.all([
    db.query(
      `SELECT a.code, a.name, a.channel, a.reached_via AS "reachedVia", a.peer_id AS "peerId", a.alt_code AS "altCode", a.last_seen_at AS "lastSeenAt",
              COALESCE(array_agg(m.group_id ORDER BY m.group_id) FILTER (WHERE m.group_id IS NOT NULL), '{}') AS groups
         FROM agencies a LEFT JOIN agency_group_members m ON m.agency_code = a.code
        WHERE $1::boolean OR a.reached_via <> 'axis'
        GROUP BY a.code ORDER BY a.level, a.name COLLATE vi_vn, a.code`,
      [opts.withAxis ?? false],
    ),
    db.query(
      `SELECT g.id, g.name, count(m.agency_code)::int AS members
         FROM agency_groups g LEFT JOIN agency_group_members m ON m.group_id = g.id GROUP BY g.id ORDER BY g.name COLLATE vi_vn`,
    ),
  ]);
  return { agencies: a.rows, groups: g.rows };
}
