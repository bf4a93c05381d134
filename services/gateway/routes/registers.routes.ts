import { Router } from 'express';
import express from 'express';
import { CreateRegisterBookBody, ErrorCode, type RegisterBookList } from '../../../contracts';
import type { Db } from '../../db/pool';
import { createBook, listBooks, type RegisterKind } from '../../domain/registers/register-books';
import { DomainError } from '../../domain/errors/domain-error';
import { principalOf } from '../middleware/authenticate';
import { validationError } from '../../http/parsing/submission.parser';

function kindOf(v: unknown): RegisterKind[] {
  if (v === undefined) return ['incoming', 'outgoing'];
  if (v === 'incoming' || v === 'outgoing') return [v];
  throw new DomainError(ErrorCode.VALIDATION_FAILED, 'kind phải là incoming hoặc outgoing.', [{ path: ['query', 'kind'] }]);
}

/**
 * The caller agency's register books (sổ văn bản đến/đi): an agency system chooses the incoming
 * book when it registers a copy (status 03 with `register.bookId`) and the outgoing book when it
 * submits (`metadata.registerBook`), as a clerk does on the web.
 */
export function registersApiRoutes(db: Db): Router {
  const router = Router();

  router.get('/v1/registers/books', async (req, res) => {
    const agency = principalOf(res).agencyCode;
    const books: RegisterBookList['books'] = [];
    for (const kind of kindOf(req.query.kind)) books.push(...(await listBooks(db, agency, kind)));
    res.json({ books } satisfies RegisterBookList);
  });

  router.post('/v1/registers/books', express.json({ limit: '8kb', type: () => true }), async (req, res) => {
    const body = CreateRegisterBookBody.safeParse(req.body);
    if (!body.success) throw validationError(body.error, 'body');
    const principal = principalOf(res);
    const book = await createBook(db, principal.agencyCode, body.data.kind, body.data.name);
    await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'register.book_created', $2)`, [
      `apikey:${principal.keyId}`,
      JSON.stringify({ agency: principal.agencyCode, kind: book.kind, id: book.id, name: book.name }),
    ]);
    res.status(201).json(book);
  });

  return router;
}
