import { ErrorCode } from '../../../contracts';
import type { Queryable } from '../../db/pool';
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

/** A registration date: a real day, not in the future, not before 2000. */
export function checkRegistrationDay(day: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day;
  if (!ok || day > todayVn() || day < '2000-01-01') {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Ngày vào sổ không hợp lệ (không được sau hôm nay).', [{ path: ['registeredOn'] }]);
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
  const day = choice.registeredOn ? checkRegistrationDay(choice.registeredOn) : todayVn();
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

/** The clerk corrects the registration date of a registered copy; the audit log keeps both dates. */
export async function correctRegistrationDate(db: Queryable, agency: string, dispatchId: string, day: string, actor: string): Promise<void> {
  checkRegistrationDay(day);
  const before = await correctRegisteredOn(db, dispatchId, agency, day);
  if (before === undefined) throw new DomainError(ErrorCode.NOT_FOUND, 'Văn bản chưa vào sổ hoặc không thuộc cơ quan.');
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
