import { Router } from 'express';
import type { Db } from '../../db/pool';
import { listAgencies } from '../../domain/agencies/agency.repository';

export function agenciesRoutes(db: Db): Router {
  const router = Router();
  router.get('/v1/agencies', async (_req, res) => {
    const [agencies, groups] = await Promise.all([
      listAgencies(db),
      db.query(
        `SELECT g.id, g.name, COALESCE(array_agg(m.agency_code ORDER BY m.agency_code) FILTER (WHERE m.agency_code IS NOT NULL), '{}') AS members
           FROM agency_groups g LEFT JOIN agency_group_members m ON m.group_id = g.id GROUP BY g.id ORDER BY g.id`,
      ),
    ]);
    res.json({ agencies, groups: groups.rows.map((g) => ({ ...g, ref: `group:${g.id}` })) });
  });
  return router;
}
