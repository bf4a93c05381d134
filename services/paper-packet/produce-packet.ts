import type { Queryable } from '../db/pool';
import { getBlob, listFiles, putBlob, type BlobRef } from '../domain/blobs/blob.repository';
import type { DocumentRow } from '../domain/documents/document-reads';
import { vnDay } from '../stats/periods';
import { buildPaperPacket } from './build-packet';

/**
 * Builds and stores (content-addressed) the packet of one paper dispatch. Slow work: the deliver
 * stage calls it outside its transaction and attaches the blob inside it.
 */
export async function producePaperPacket(db: Queryable, doc: DocumentRow, recipientCode: string, now = new Date()): Promise<BlobRef> {
  const signed = (await listFiles(db, doc.id)).find((f) => f.role === 'signed');
  if (!signed) throw new Error(`document ${doc.id} has no signed PDF to print`);
  const names = await db.query<{ code: string; name: string; parentName: string | null }>(
    `SELECT a.code, a.name, p.name AS "parentName" FROM agencies a LEFT JOIN agencies p ON p.code = a.parent_code
      WHERE a.code = ANY($1::text[])`,
    [[doc.senderCode, recipientCode]],
  );
  const sender = names.rows.find((a) => a.code === doc.senderCode);
  const recipient = names.rows.find((a) => a.code === recipientCode);
  if (!sender || !recipient) throw new Error(`agency ${sender ? recipientCode : doc.senderCode} is not in the directory`);
  const { bytes } = await buildPaperPacket(
    await getBlob(db, signed.sha256),
    {
      sender: { name: sender.name, parentName: sender.parentName },
      document: { number: doc.number, notation: doc.notation, issuedOn: doc.issuedOn, subject: doc.subject, place: doc.place },
      recipient: { code: recipient.code, name: recipient.name },
      sentOn: vnDay(now),
    },
    now,
  );
  return putBlob(db, bytes, 'application/pdf');
}
