import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../../db/pool';
import { listSavedSearches } from '../../domain/search/saved-search.repository';
import { can, currentUser } from '../security/access-policy';

/** Puts the signed-in reader's saved searches on res.locals for the menu of every HTML page (GET only). */
export function savedSearchesMenu(db: Db) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const user = currentUser(res);
    if (req.method === 'GET' && user && can(user, 'documents.read') && !req.path.startsWith('/events')) {
      res.locals.savedSearches = await listSavedSearches(db, user.id);
    }
    next();
  };
}
