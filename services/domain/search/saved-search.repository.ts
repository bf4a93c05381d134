import type { Queryable } from '../../db/pool';
import { enteredName } from '../names/entered-name';

export interface SavedSearch {
  id: string;
  name: string;
  /** The filters as a query string (q=…&type=…), reused as the search page's URL. */
  query: string;
}

export const MAX_SAVED_SEARCHES = 50;

/** A user's saved searches in Vietnamese alphabetical order. */
export async function listSavedSearches(db: Queryable, userId: string): Promise<SavedSearch[]> {
  const r = await db.query<SavedSearch>(
    `SELECT id, name, query->>'qs' AS query FROM saved_searches WHERE user_id = $1 ORDER BY name COLLATE vi_vn, id`,
    [userId],
  );
  return r.rows;
}

/** Saves (or replaces, by name) a search; false when the user already has the maximum. */
export async function saveSearch(db: Queryable, userId: string, typed: string, queryString: string): Promise<boolean> {
  // One name however it was typed (NFC): saving again under the same name replaces, not duplicates.
  const name = enteredName(typed);
  const r = await db.query(
    `INSERT INTO saved_searches (user_id, name, query)
     SELECT $1, $2, jsonb_build_object('qs', $3::text)
      WHERE (SELECT count(*) FROM saved_searches WHERE user_id = $1) < $4 OR EXISTS (SELECT 1 FROM saved_searches WHERE user_id = $1 AND name = $2)
     ON CONFLICT (user_id, name) DO UPDATE SET query = EXCLUDED.query, created_at = now()`,
    [userId, name, queryString, MAX_SAVED_SEARCHES],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function deleteSavedSearch(db: Queryable, userId: string, id: string): Promise<void> {
  await db.query(`DELETE FROM saved_searches WHERE user_id = $1 AND id = $2`, [userId, id]);
}
