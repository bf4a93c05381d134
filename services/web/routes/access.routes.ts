import { Router } from 'express';
import type { Db } from '../../db/pool';
import { agencyAccess } from '../../domain/access/access-log.repository';
import { findAgency } from '../../domain/agencies/agency.repository';
import { allow, userOf } from '../security/access-policy';
import { accessTable } from '../views/access-log.view';
import { html } from '../views/html';
import { page } from '../views/layout.view';

/** The access history (opened, downloaded, printed) of an agency's documents, for administrators. */
export function accessRoutes(db: Db): Router {
  const router = Router();
  router.get('/admin/access', allow('directory.manage'), async (req, res) => {
    const wanted = typeof req.query.agency === 'string' && /^[0-9A-Z.]{1,35}$/.test(req.query.agency) ? req.query.agency : userOf(res).agencyCode;
    const agency = (await findAgency(db, wanted)) ?? (await findAgency(db, userOf(res).agencyCode));
    const entries = agency ? await agencyAccess(db, agency.code) : [];
    res.type('html').send(
      page(res, {
        title: 'Lịch sử truy cập văn bản',
        active: '/admin/access',
        body: html`<h1>Lịch sử truy cập văn bản</h1>
<form method="get" action="/admin/access" class="filters card"><div class="field"><label for="agency">Mã định danh cơ quan</label><input id="agency" name="agency" value="${agency?.code ?? ''}"></div><button type="submit">Xem</button></form>
<p>${agency?.name ?? ''}: ${entries.length} lượt gần nhất (mở xem, tải về, in).</p>
${accessTable(entries, true)}`,
      }).value,
    );
  });
  return router;
}
