import type { Queryable } from '../../db/pool';

/**
 * Administrative actions, for the administrators of the agencies they concern: keys created and
 * revoked, users added, agencies added or changed (certificates bound), dispatches retried, the
 * trust list changed. Never pass a secret, a password or an API key in `detail`.
 */
export type AdminAction =
  | 'apikey.create'
  | 'apikey.revoke'
  | 'user.add'
  | 'agency.add'
  | 'agency.import'
  | 'agency.bind_certificate'
  | 'dispatch.retry'
  | 'trust.add'
  | 'trust.remove'
  | 'retention.set'
  | 'hold.add'
  | 'hold.remove'
  | 'disposal.propose'
  | 'disposal.approve'
  | 'disposal.reject'
  | 'peer.add'
  | 'peer.update'
  | 'peer.remove';

export interface AuditEntry {
  /** `user:<name>` for the web, `operator:cli` for the CLI. */
  actor: string;
  /** The actor's own agency (a web user's), or null (the operator CLI). */
  actorAgency: string | null;
  action: AdminAction;
  /** The agency the action concerns (the key's, the user's, the dispatch's recipient…); null: all of them (the trust list). */
  agency: string | null;
  detail?: Record<string, unknown>;
}

/** One row of the audit log. Other modules (the trust list of issue 15) call this too. */
export async function recordAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(`INSERT INTO audit_log (actor, actor_agency, action, agency_code, detail) VALUES ($1, $2, $3, $4, $5)`, [
    e.actor,
    e.actorAgency,
    e.action,
    e.agency,
    JSON.stringify(e.detail ?? {}),
  ]);
}

export interface AuditRow {
  id: number;
  at: Date;
  actor: string | null;
  actorAgency: string | null;
  action: string;
  agency: string | null;
  detail: Record<string, unknown>;
}

/**
 * What an agency's administrator reads: administrative actions concerning the agency, done by
 * its own people, or concerning every agency (the trust list). Sign-in events are not here.
 */
export async function auditFor(db: Queryable, agency: string, limit = 200): Promise<AuditRow[]> {
  const r = await db.query<AuditRow>(
    `SELECT id, at, actor, actor_agency AS "actorAgency", action, agency_code AS agency, detail FROM audit_log
      WHERE action NOT LIKE 'login.%' AND action <> 'logout'
        AND (agency_code = $1 OR actor_agency = $1 OR (agency_code IS NULL AND action LIKE 'trust.%'))
      ORDER BY id DESC LIMIT $2`,
    [agency, Math.min(Math.max(limit, 1), 1000)],
  );
  return r.rows;
}

/** `dispatch.retry` rows for retried dispatches, each under its document's sending agency, in one statement. */
export async function recordDispatchRetries(db: Queryable, dispatchIds: string[], actor: string, actorAgency: string | null): Promise<void> {
  if (dispatchIds.length === 0) return;
  await db.query(
    `INSERT INTO audit_log (actor, actor_agency, action, agency_code, detail)
     SELECT $2, $3, 'dispatch.retry', d.sender_code, json_build_object('dispatchId', x.id, 'recipient', x.recipient_code)
       FROM dispatches x JOIN documents d ON d.id = x.document_id WHERE x.id = ANY($1::uuid[])`,
    [dispatchIds, actor, actorAgency],
  );
}
