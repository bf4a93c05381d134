import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../domain/users/roles';
import type { SessionUser } from '../../domain/users/session.repository';
import { forbiddenPage } from '../views/error.view';

/**
 * The one place that says which role may do what. Monitors read every agency's figures but no
 * document; administrators manage the directory, keys and users but read no document either.
 */
export type Permission = 'documents.read' | 'documents.send' | 'documents.status' | 'documents.assign' | 'figures.read' | 'directory.manage';

const GRANTS: Record<Permission, readonly Role[]> = {
  'documents.read': ['clerk', 'leader'],
  'documents.send': ['clerk'],
  'documents.status': ['clerk', 'leader'],
  'documents.assign': ['leader', 'clerk'],
  'figures.read': ['monitor'],
  'directory.manage': ['admin'],
};

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
