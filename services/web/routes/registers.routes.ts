import { Router, type NextFunction, type Request, type Response } from 'express';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { findAgency } from '../../domain/agencies/agency.repository';
import { DomainError } from '../../domain/errors/domain-error';
import { correctRegistrationDate, createBook, listBooks, todayVn, type RegisterBook, type RegisterKind } from '../../domain/registers/register-books';
import { incomingRegister, outgoingRegister } from '../../domain/registers/register-entries';
import { INCOMING_COLUMNS, OUTGOING_COLUMNS, incomingPdfRows, outgoingPdfRows, INCOMING_PDF_COLUMNS, OUTGOING_PDF_COLUMNS } from '../../export/register-columns';
import { renderRegisterPdf } from '../../reports/register.pdf';
import { contentDisposition } from '../../export/table-export';
import { isUuid } from '../../http/route-params';
import { allow, userOf } from '../security/access-policy';
import { instantVi, dayVi } from '../../labels/labels';
import { registersPage } from '../views/registers.view';
import { param } from './params';
import { sendTable } from './send-export';

interface RegisterSelection {
  kind: RegisterKind;
  year: number;
  book: RegisterBook;
  books: RegisterBook[];
}

async function selection(db: Db, agency: string, req: Request): Promise<RegisterSelection> {
  const kind: RegisterKind = req.query.kind === 'outgoing' ? 'outgoing' : 'incoming';
  const thisYear = Number(todayVn().slice(0, 4));
  const y = typeof req.query.year === 'string' && /^\d{4}$/.test(req.query.year) ? Number(req.query.year) : thisYear;
  if (y < 2000 || y > thisYear + 1) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Năm không hợp lệ.');
  const books = await listBooks(db, agency, kind);
  const wanted = typeof req.query.book === 'string' && req.query.book ? req.query.book : null;
  const book = wanted ? books.find((b) => b.id === wanted) : books.find((b) => b.isDefault);
  if (!book) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có sổ văn bản này.');
  return { kind, year: y, book, books };
}

async function entries(db: Db, agency: string, s: RegisterSelection) {
  return s.kind === 'incoming'
    ? { kind: 'incoming' as const, rows: await incomingRegister(db, agency, s.book, s.year) }
    : { kind: 'outgoing' as const, rows: await outgoingRegister(db, agency, s.book, s.year) };
}

/** The registers (sổ đăng ký văn bản đến/đi) per book and year: on screen, printed as PDF, exported. */
export function registersRoutes(db: Db): Router {
  const router = Router();

  router.get('/registers', allow('registers.read'), async (req, res) => {
    const agency = userOf(res).agencyCode;
    const s = await selection(db, agency, req);
    res.type('html').send(registersPage(res, { ...s, entries: await entries(db, agency, s) }).value);
  });

  router.get('/registers/print.pdf', allow('registers.read'), async (req, res) => {
    const user = userOf(res);
    const s = await selection(db, user.agencyCode, req);
    const e = await entries(db, user.agencyCode, s);
    const agency = await findAgency(db, user.agencyCode);
    const parent = agency?.parentCode ? await findAgency(db, agency.parentCode) : undefined;
    const now = new Date();
    const dates = e.kind === 'incoming' ? e.rows.map((r) => r.registeredOn) : e.rows.map((r) => r.issuedOn);
    const numbers = e.kind === 'incoming' ? e.rows.map((r) => r.incomingNumber) : e.rows.map((r) => r.numberNotation.split('/')[0]!);
    const sorted = [...dates].sort();
    const pdf = await renderRegisterPdf({
      agencyName: agency?.name ?? user.agencyName,
      parentName: parent?.name ?? null,
      title: s.kind === 'incoming' ? 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN' : 'SỔ ĐĂNG KÝ VĂN BẢN ĐI',
      bookName: s.book.name,
      year: s.year,
      columns: s.kind === 'incoming' ? INCOMING_PDF_COLUMNS : OUTGOING_PDF_COLUMNS,
      rows: e.kind === 'incoming' ? incomingPdfRows(e.rows) : outgoingPdfRows(e.rows),
      ranges: e.rows.length
        ? [`Từ ngày ${dayVi(sorted[0])} đến ngày ${dayVi(sorted[sorted.length - 1])}`, `Từ số ${numbers[0]} đến số ${numbers[numbers.length - 1]}`]
        : ['Sổ chưa có văn bản nào.'],
      printedLine: `In bởi ${user.fullName ?? user.username} (${user.agencyName}) lúc ${instantVi(now)}`,
      producedAt: now,
    });
    await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'register.printed', $2)`, [
      `user:${user.username}`,
      JSON.stringify({ agency: user.agencyCode, kind: s.kind, book: s.book.id, year: s.year, lines: e.rows.length }),
    ]);
    res.setHeader('Content-Disposition', contentDisposition(`so-van-ban-${s.kind === 'incoming' ? 'den' : 'di'}-${s.year}.pdf`).replace(/^attachment/, 'inline'));
    res.type('application/pdf').send(pdf);
  });

  router.get('/registers/export.:format', allow('registers.read'), async (req, res) => {
    const format = param(req, 'format');
    if (format !== 'xlsx' && format !== 'csv') throw new DomainError(ErrorCode.NOT_FOUND, 'Không có định dạng này.');
    const agency = userOf(res).agencyCode;
    const s = await selection(db, agency, req);
    const e = await entries(db, agency, s);
    const title = `${s.kind === 'incoming' ? 'Sổ đăng ký văn bản đến' : 'Sổ đăng ký văn bản đi'} — ${s.book.name} — năm ${s.year}`;
    const base = `so-van-ban-${s.kind === 'incoming' ? 'den' : 'di'}-${s.year}`;
    if (e.kind === 'incoming') await sendTable(res, format, { sheet: `Sổ đến ${s.year}`, title, columns: INCOMING_COLUMNS, rows: e.rows }, base);
    else await sendTable(res, format, { sheet: `Sổ đi ${s.year}`, title, columns: OUTGOING_COLUMNS, rows: e.rows }, base);
  });

  // Opening an incoming book is for who registers copies; an outgoing one for who sends.
  const mayOpen = (req: Request, res: Response, next: NextFunction) =>
    allow((req.body as Record<string, unknown>).kind === 'outgoing' ? 'documents.send' : 'documents.status')(req, res, next);
  router.post('/registers/books', mayOpen, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const kind: RegisterKind = body.kind === 'outgoing' ? 'outgoing' : 'incoming';
    const book = await createBook(db, userOf(res).agencyCode, kind, String(body.name ?? ''));
    res.redirect(303, `/registers?kind=${kind}&book=${book.id}`);
  });

  router.post('/registers/entries/:dispatchId/date', allow('documents.status'), async (req, res) => {
    const user = userOf(res);
    const id = param(req, 'dispatchId');
    if (!isUuid(id)) throw new DomainError(ErrorCode.NOT_FOUND, 'Không tìm thấy văn bản.');
    await correctRegistrationDate(db, user.agencyCode, id, String((req.body as Record<string, unknown>).registeredOn ?? ''), `user:${user.username}`);
    res.redirect(303, `/inbox/${id}?dateCorrected=1`);
  });

  return router;
}
