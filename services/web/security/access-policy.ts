import type { NextFunction, Request, Response } from 'express';
import type { SearchReader } from '../../domain/search/ranked-search';
import type { Role } from '../../domain/users/roles';
import type { SessionUser } from '../../domain/users/session.repository';
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
  const user = userOf(res);
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
