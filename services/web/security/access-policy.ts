import type { NextFunction, Request, Response } from 'express';
import type { Queryable } from '../../db/pool';
import { findDocumentFor, type DocumentRow } from '../../domain/documents/document-reads';
import { givenToSql } from '../../domain/handling/handling.repository';
import type { SearchReader } from '../../domain/search/ranked-search';
import { isUuid } from '../../http/route-params';
import type { Role } from '../../domain/users/roles';
import { sessionIdHash, type SessionUser } from '../../domain/users/session.repository';
import { forbiddenPage } from '../views/error.view';

/**
 * The one place that says which role may do what. Monitors read every agency's figures but no
 * document; administrators manage the directory, keys and users but read no document either.
 */
export type Permission =
  | 'documents.read'
  | 'documents.send'
  | 'documents.status'
  | 'documents.submit'
  | 'documents.assign'
  | 'documents.assign_person'
  | 'documents.process'
  | 'drafts.write'
  | 'drafts.approve'
  | 'account.self'
  | 'notifications.read'
  | 'figures.read'
  | 'directory.manage'
  | 'registers.read';

/**
 * Decree 30/2020: the văn thư registers (03), submits (trình) and issues; only the leader assigns
 * the units (04); the unit head gives the work to a specialist; whoever handles records notes and
 * completes (06). Heads and specialists see only what was given to their unit or to them.
 */
const GRANTS: Record<Permission, readonly Role[]> = {
  'documents.read': ['clerk', 'leader', 'unit_head', 'specialist'],
  'documents.send': ['clerk'],
  'documents.status': ['clerk'],
  'documents.submit': ['clerk'],
  'documents.assign': ['leader'],
  'documents.assign_person': ['unit_head'],
  'documents.process': ['leader', 'unit_head', 'specialist'],
  'drafts.write': ['specialist', 'unit_head'],
  'drafts.approve': ['unit_head', 'leader'],
  'account.self': ['clerk', 'leader', 'unit_head', 'specialist', 'monitor', 'admin'],
  'notifications.read': ['clerk', 'leader', 'unit_head', 'specialist', 'monitor', 'admin'],
  'figures.read': ['monitor'],
  'directory.manage': ['admin'],
  // The registers are the agency's whole books (every copy registered, every document sent): the
  // văn thư keeps them and the leader reads them; heads and specialists see only what was given to them.
  'registers.read': ['clerk', 'leader'],
};

/**
 * Who is reading a list of documents: unit heads and specialists see only the received copies
 * given to them or their unit (and no sent documents); everyone else every copy of the agency.
 * Every web list, search, export and count of documents passes this.
 */
export function readerOf(res: Response): SearchReader {
  return readerFor(userOf(res));
}

/**
 * Whether `reader` may see the agency's copy of a document (and, given `dispatchId`, that copy):
 * everyone but heads and specialists may; they only when a copy of it delivered to the agency was
 * given to them or their unit. `live`: only a copy that is not revoked (its files are withdrawn).
 */
export async function mayReadCopy(
  db: Queryable,
  agencyCode: string,
  reader: SearchReader,
  documentId: string,
  opts: { dispatchId?: string | undefined; live?: boolean } = {},
): Promise<boolean> {
  if (!reader.givenTo) return true;
  if (!isUuid(documentId) || (opts.dispatchId !== undefined && !isUuid(opts.dispatchId))) return false;
  const r = await db.query(
    `SELECT 1 FROM dispatches x
      WHERE x.document_id = $1 AND x.recipient_code = $2 AND x.delivered_at IS NOT NULL
        AND ($5::uuid IS NULL OR x.id = $5) AND (NOT $6 OR x.status <> 'revoked')
        AND ${givenToSql('$3::uuid', '$4::uuid')} LIMIT 1`,
    [documentId, agencyCode, reader.givenTo.userId, reader.givenTo.departmentId, opts.dispatchId ?? null, opts.live ?? false],
  );
  return (r.rowCount ?? 0) > 0;
}

/**
 * A document whose content (files, printed copy, preview) the signed-in user may read: the agency's
 * (findDocumentFor), and for heads and specialists only as the recipient of a copy given to them or
 * their unit — never as its sender. Anything else is undefined, for the route's 404.
 */
export async function readableDocument(db: Queryable, res: Response, id: string): Promise<{ doc: DocumentRow; asSender: boolean } | undefined> {
  if (!isUuid(id)) return undefined;
  const user = userOf(res);
  const found = await findDocumentFor(db, user.agencyCode, id);
  if (!found) return undefined;
  const reader = readerOf(res);
  if (!reader.givenTo) return found;
  return (await mayReadCopy(db, user.agencyCode, reader, id, { live: true })) ? { doc: found.doc, asSender: false } : undefined;
}

/**
 * For long-lived answers (server-sent events): the session behind a request as it is now — still
 * unexpired, its user not disabled — with the user's current role and unit, else undefined. It only
 * reads: an open stream does not keep an idle session alive.
 */
export async function sessionNow(
  db: Queryable,
  sessionId: string | undefined,
): Promise<{ id: string; agencyCode: string; role: Role; departmentId: string | null } | undefined> {
  if (!sessionId) return undefined;
  const r = await db.query<{ id: string; agencyCode: string; role: Role; departmentId: string | null }>(
    `SELECT u.id, u.agency_code AS "agencyCode", u.role, u.department_id AS "departmentId"
       FROM sessions x JOIN users u ON u.id = x.user_id
      WHERE x.id_hash = $1 AND x.expires_at > now() AND u.disabled_at IS NULL`,
    [sessionIdHash(sessionId)],
  );
  return r.rows[0];
}

/** The reader scope of a user row (readerOf for a request's user). */
export function readerFor(user: { id: string; role: Role; departmentId: string | null }): SearchReader {
  return user.role === 'unit_head' || user.role === 'specialist' ? { givenTo: { userId: user.id, departmentId: user.departmentId ?? null } } : {};
}

export function can(user: Pick<SessionUser, 'role'> | undefined, p: Permission): boolean {
  return user !== undefined && GRANTS[p].includes(user.role);
}

export function currentUser(res: Response): SessionUser | undefined {
  return res.locals.user as SessionUser | undefined;
}

/** The signed-in user, for handlers behind `allow` (which guarantees one). */
export function userOf(res: Response): SessionUser {
  const u = currentUser(res);
  if (!u) throw new Error('userOf called on a route without allow()');
  return u;
}

export function homeOf(role: Role): string {
  switch (role) {
    case 'clerk':
      return '/inbox';
    case 'leader':
      return '/leader';
    case 'unit_head':
    case 'specialist':
      return '/inbox';
    case 'monitor':
      return '/monitor';
    case 'admin':
      return '/admin';
  }
}

/** Guards a route: a visitor goes to sign in; a user without the permission gets 403. */
export function allow(p: Permission) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const user = currentUser(res);
    if (!user) {
      if (req.method === 'GET') return res.redirect(303, `/?next=${encodeURIComponent(req.originalUrl)}`);
      res.status(401).type('html').send(forbiddenPage(res, 'Phiên đăng nhập đã hết. Hãy đăng nhập lại.').value);
      return;
    }
    if (!can(user, p)) {
      res.status(403).type('html').send(forbiddenPage(res, 'Vai trò của bạn không được dùng chức năng này.').value);
      return;
    }
    next();
  };
}
