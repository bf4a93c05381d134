import { ErrorCode, LedgerKind, type PaperDispatchRequest } from '../../../contracts';
import { inTransaction, type Db } from '../../db/pool';
import { resolveRecipients } from '../agencies/resolve-recipients';
import { DomainError } from '../errors/domain-error';
import { jsonbOrdered } from '../ledger/ledger-detail';
import { appendLedger } from '../ledger/ledger.repository';
import { observeNumber } from '../numbering/number-register';
import { isRealDay, vnStartOf } from '../../calendar/vn-day';
import { findNumberHolder, insertPaperDispatches, insertPaperDocument } from './paper-document.repository';
import { newRowId } from '../../db/row-id';

export interface PaperLimits {
  maxRecipients: number;
  /** How far in the future a date may be, for clocks a little ahead. */
  futureSkewDays: number;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Records a document the caller's agency sent on paper: the document, one row per recipient copy
 * and one `paper_recorded` ledger row per copy (channel paper), in one transaction. It enters the
 * e-document rate as a paper document.
 */
export async function recordPaperDispatch(
  db: Db,
  sender: string,
  recordedBy: string | null,
  body: PaperDispatchRequest,
  limits: PaperLimits,
): Promise<{ id: string; recipients: number }> {
  checkDates(body, limits);
  const year = Number(body.issuedOn.slice(0, 4));
  try {
    return await inTransaction(db, async (tx) => {
      const holder = await findNumberHolder(tx, sender, year, body.number);
      if (holder) {
        throw new DomainError(
          ErrorCode.DUPLICATE_DOCUMENT,
          `Số ${body.number} năm ${year} đã được dùng cho văn bản ${body.number}/${holder.notation}${holder.onPaper ? ' (đã ghi nhận gửi giấy)' : ''}.`,
          [{ [holder.onPaper ? 'paperDispatchId' : 'documentId']: holder.id }],
        );
      }
      const recipients = await resolveRecipients(tx, sender, body.recipients, limits.maxRecipients);
      const id = newRowId();
      await insertPaperDocument(tx, {
        id,
        senderCode: sender,
        documentType: body.documentType,
        number: body.number,
        notation: body.notation,
        year,
        issuedOn: body.issuedOn,
        subject: body.subject,
        sentOn: body.sentOn,
        recordedBy,
      });
      // Keeps the shared register ahead, so the next electronic document cannot take this number.
      await observeNumber(tx, sender, year, 'outgoing', Number.parseInt(body.number, 10));
      const dispatchIds = await insertPaperDispatches(tx, id, recipients);
      for (const [i, r] of recipients.entries()) {
        await appendLedger(tx, {
          kind: LedgerKind.paperRecorded,
          documentId: id,
          dispatchId: dispatchIds[i]!,
          sender,
          recipient: r.code,
          channel: 'paper',
          detail: jsonbOrdered({ number: body.number, notation: body.notation, year, issuedOn: body.issuedOn, sentOn: body.sentOn }),
        });
      }
      return { id, recipients: recipients.length };
    });
  } catch (err) {
    // Two clerks recording the same number at once: the unique key decides, the loser hears why.
    const e = err as { code?: string; constraint?: string };
    if (e?.code === UNIQUE_VIOLATION && e.constraint === 'paper_documents_sender_code_year_number_key') {
      throw new DomainError(ErrorCode.DUPLICATE_DOCUMENT, `Số ${body.number} năm ${year} đã được ghi nhận.`);
    }
    throw err;
  }
}

function checkDates(body: PaperDispatchRequest, limits: PaperLimits): void {
  const latest = Date.now() + limits.futureSkewDays * 86_400_000;
  for (const path of ['issuedOn', 'sentOn'] as const) {
    if (!isRealDay(body[path])) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày không hợp lệ: ${body[path]}.`, [{ path }]);
    if (vnStartOf(body[path]).getTime() > latest) throw new DomainError(ErrorCode.VALIDATION_FAILED, `Ngày ${body[path]} ở tương lai.`, [{ path }]);
  }
  if (body.sentOn < body.issuedOn) {
    throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Ngày gửi phải từ ngày ban hành trở đi.', [{ path: 'sentOn' }]);
  }
}
