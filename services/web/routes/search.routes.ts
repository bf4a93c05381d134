import { Router } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { DomainError } from '../../domain/errors/domain-error';
import { searchDocuments } from '../../domain/search/document-search';
import { searchAll } from '../../domain/search/search-all';
import { deleteSavedSearch, listSavedSearches, saveSearch } from '../../domain/search/saved-search.repository';
import { isUuid } from '../../http/route-params';
import { allow, readerOf, userOf } from '../security/access-policy';
import { searchPage } from '../views/search.view';
import { webListQuery } from './list-query';
import { param } from './params';
import { documentListTable, sendTable } from './send-export';

/** The web search (the same searchDocuments as GET /v1/search, scoped to the reader as the inbox is), its exports and saved searches. */
export function searchRoutes(db: Db): Router {
  const router = Router();

  router.get('/search', allow('documents.read'), async (req, res) => {
    const user = userOf(res);
    const l = webListQuery(req);
    const asked = Object.keys(l.filters).some((k) => k !== 'box');
    const [p, saved] = await Promise.all([asked ? searchDocuments(db, user.agencyCode, l.query, readerOf(res)) : null, listSavedSearches(db, user.id)]);
    res.type('html').send(searchPage(res, p, l.filters, l.limit, saved).value);
  });

  router.get('/search/export.:format', allow('documents.read'), async (req, res) => {
    const format = param(req, 'format');
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError(ErrorCode.NOT_FOUND, 'Không có định dạng này.');
    const l = webListQuery(req);
    const { rows, total } = await searchAll(db, userOf(res).agencyCode, l.query, readerOf(res));
    await sendTable(res, format, documentListTable('Kết quả tìm kiếm', rows, total), 'ket-qua-tim-kiem');
  });

  router.post('/search/saved', allow('documents.read'), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const name = String(body.name ?? '').trim();
    const qs = String(body.qs ?? '');
    if (!name || name.length > 100) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Hãy đặt tên cho tìm kiếm (tối đa 100 ký tự).');
    // Only a query the search accepts is kept: it is checked as if it were run.
    webListQuery({ query: Object.fromEntries(new URLSearchParams(qs)) } as never);
    if (qs.length > 2000 || !(await saveSearch(db, userOf(res).id, name, qs))) {
      throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Không lưu được: đã có quá nhiều tìm kiếm đã lưu; hãy xóa bớt.');
    }
    res.redirect(303, `/search?${qs}`);
  });

  router.post('/search/saved/:id/delete', allow('documents.read'), async (req, res) => {
    if (isUuid(param(req, 'id'))) await deleteSavedSearch(db, userOf(res).id, param(req, 'id'));
    res.redirect(303, '/search');
  });

  return router;
}
