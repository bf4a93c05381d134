import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
import { isRealDay, vnDay } from '../../calendar/vn-day';
import { DomainError } from '../errors/domain-error';
import { enteredName } from '../names/entered-name';
import { formatNumber, issueNextNumber } from '../numbering/number-register';
import { correctRegisteredOn, setRegistration } from '../dispatches/dispatch.repository';

export type RegisterKind = 'incoming' | 'outgoing';

export interface RegisterBook {
  id: string;
  name: string;
  kind: RegisterKind;
  isDefault: boolean;
}

export const DEFAULT_BOOK_NAMES: Record<RegisterKind, string> = { incoming: 'Sổ văn bản đến', outgoing: 'Sổ văn bản đi' };

const COLUMNS = `id, name, kind, is_default AS "isDefault"`;

/** An agency's books of one kind, the default first, then in Vietnamese order; the default is created on first use. */
export async function listBooks(db: Queryable, agency: string, kind: RegisterKind): Promise<RegisterBook[]> {
  await db.query(
    `INSERT INTO register_books (agency_code, kind, name, is_default) VALUES ($1, $2, $3, true) ON CONFLICT DO NOTHING`,
    [agency, kind, DEFAULT_BOOK_NAMES[kind]],
  );
  const r = await db.query<RegisterBook>(
    `SELECT ${COLUMNS} FROM register_books WHERE agency_code = $1 AND kind = $2 ORDER BY is_default DESC, name COLLATE vi_vn`,
    [agency, kind],
  );
  return r.rows;
}

export async function createBook(db: Queryable, agency: string, kind: RegisterKind, name: string): Promise<RegisterBook> {
  const clean = enteredName(name);
  if (!clean || clean.length > 200) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Tên sổ phải có từ 1 đến 200 ký tự.');
  const r = await db.query<RegisterBook>(
    `INSERT INTO register_books (agency_code, kind, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING ${COLUMNS}`,
    [agency, kind, clean],
  );
  if (!r.rows[0]) throw new DomainError(ErrorCode.CONFLICT, `Đã có sổ tên "${clean}".`);
  return r.rows[0];
}

/** One of the agency's books; another agency's book is "not found". */
export async function findBook(db: Queryable, agency: string, kind: RegisterKind, id: string): Promise<RegisterBook> {
  const books = await listBooks(db, agency, kind);
  const book = books.find((b) => b.id === id);
  if (!book) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có sổ văn bản này.');
  return book;
}

/** Vietnam's today as YYYY-MM-DD. */
export function todayVn(now = new Date()): string {
  return new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

const dayVi = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;

/**
 * A registration date: a real day, not in the future, not before 2000, and — when the copy's
 * arrival is known — not before the day it arrived (Vietnam time): a copy is entered in the book
 * on or after ngày đến.
 */
export function checkRegistrationDay(day: string, arrivedOn?: string | null): string {
  if (!isRealDay(day) || day > todayVn() || day < '2000-01-01') {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Ngày vào sổ không hợp lệ (không được sau hôm nay).', [{ path: ['registeredOn'] }]);
  }
  if (arrivedOn && day < arrivedOn) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày vào sổ không được trước ngày văn bản đến (${dayVi(arrivedOn)}).`, [{ path: ['registeredOn'] }]);
  }
  return day;
}

export interface RegistrationChoice {
  bookId?: string | null | undefined;
  registeredOn?: string | null | undefined;
}

/**
 * Registers an incoming copy in the transaction of its 03 status: the chosen book (the default
 * when none), the registration date (today unless the clerk gave one), and the book's next
 * number for that date's year (số đến, per book, no gaps: the upsert's row lock serialises).
 */
export async function registerIncoming(tx: Queryable, dispatchId: string, agency: string, choice: RegistrationChoice = {}): Promise<string> {
  let day = todayVn();
  if (choice.registeredOn) {
    const arrived = await tx.query<{ at: Date | null }>(`SELECT delivered_at AS at FROM dispatches WHERE id = $1`, [dispatchId]);
    const at = arrived.rows[0]?.at;
    day = checkRegistrationDay(choice.registeredOn, at ? vnDay(at) : null);
  }
  const year = Number(day.slice(0, 4));
  const books = await listBooks(tx, agency, 'incoming');
  const book = choice.bookId ? books.find((b) => b.id === choice.bookId) : books.find((b) => b.isDefault);
  if (!book) throw new DomainError(ErrorCode.NOT_FOUND, 'Không có sổ văn bản đến này.');
  let n: number;
  if (book.isDefault) n = await issueNextNumber(tx, agency, year, 'incoming');
  else {
    const r = await tx.query<{ last_number: number }>(
      `INSERT INTO register_book_numbers (book_id, year, last_number) VALUES ($1, $2, 1)
       ON CONFLICT (book_id, year) DO UPDATE SET last_number = register_book_numbers.last_number + 1 RETURNING last_number`,
      [book.id, year],
    );
    n = r.rows[0]!.last_number;
  }
  await setRegistration(tx, dispatchId, book.id, day);
  return formatNumber(n);
}

/**
 * The clerk corrects the registration date of a registered copy; the audit log keeps both dates.
 * The new date obeys the rules of registration (a real day, not in the future, not before the copy
 * arrived) and stays in the year of the book it was numbered in: số đến counts per book and year, so
 * a date of another year would put the number into that year's sequence twice. Such a correction
 * is 409 (the copy would be registered again in that year's book, with that year's number).
 */
export async function correctRegistrationDate(db: Queryable, agency: string, dispatchId: string, day: string, actor: string): Promise<void> {
  checkRegistrationDay(day);
  const c = await correctRegisteredOn(db, dispatchId, agency, day);
  if (c === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'Văn bản chưa vào sổ hoặc không thuộc cơ quan.');
  if (c.refused === 'before_arrival') checkRegistrationDay(day, c.arrivedOn);
  if (c.refused === 'other_year') {
    throw new DomainError(
      ErrorCode.CONFLICT,
      `Không sửa được ngày vào sổ sang năm ${day.slice(0, 4)}: số đến ${c.incomingNumber ?? ''} là số của sổ năm ${c.before.slice(0, 4)}. Chỉ sửa ngày trong năm ${c.before.slice(0, 4)}; văn bản vào sổ năm khác phải được vào sổ lại trong sổ của năm đó, với số đến của năm đó.`,
      [{ path: ['registeredOn'] }],
    );
  }
  const before = c.before;
  await db.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, 'register.date_corrected', $2)`, [
    actor,
    JSON.stringify({ dispatchId, agency, before, after: day }),
  ]);
}

/** A copy's registration date and book name (null before it is registered). */
export async function registrationOf(db: Queryable, dispatchId: string): Promise<{ registeredOn: string | null; bookName: string | null }> {
  const r = await db.query<{ registeredOn: string | null; bookName: string | null }>(
    `SELECT x.registered_on::text AS "registeredOn", b.name AS "bookName" FROM dispatches x LEFT JOIN register_books b ON b.id = x.register_book_id WHERE x.id = $1`,
    [dispatchId],
  );
  return r.rows[0] ?? { registeredOn: null, bookName: null };
}
