import { randomBytes } from 'node:crypto';
import { LedgerKind } from '../../../contracts';
import { inTransaction, type Db, type Tx } from '../../../services/db/pool';
import { createApiKey } from '../../../services/domain/apikeys/api-key.repository';
import { attachFile, putBlob } from '../../../services/domain/blobs/blob.repository';
import { moveDocumentStatus } from '../../../services/domain/documents/document.repository';
import { appendLedger } from '../../../services/domain/ledger/ledger.repository';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { acceptTestDocument } from '../../support/accepted-document.fixture';

type Outcome = 'delivered' | 'paper' | 'failed';

/** One outgoing document, by agency index (0 = A1); times are Vietnam wall-clock times. */
export interface DocSpec {
  name: string;
  sender: number;
  issuedOn: string;
  /** When the sender handed it over (the dispatch rows' creation): the on-time clock starts here. */
  sentAt: string;
  dueOn?: string;
  signed: boolean;
  failedInPipeline?: boolean;
  /** Outcome rows per recipient, in ledger order (the last one wins). */
  to: Record<number, Outcome[]>;
  events?: { to: number; code: '03' | '06'; at: string }[]; // 03 = registered (số đến): the on-time figures count registration, not arrival
}

export interface Scenario {
  agencies: TestAgency[];
  groupRef: string;
  monitorKey: string;
  documentIds: Record<string, string>;
}

const KIND: Record<Outcome, string> = {
  delivered: LedgerKind.dispatchDelivered,
  paper: LedgerKind.dispatchPaper,
  failed: LedgerKind.dispatchFailed,
};

/** Vietnam wall-clock "2026-07-06 09:00" → an ISO instant. */
export function vn(local: string): string {
  return `${local.replace(' ', 'T')}:00+07:00`;
}

/**
 * Four fresh agencies in a fresh group, an agency-scoped target for A1 (0.50 from 2026, beating the
 * province's 0.60), and a monitor key. Documents are written straight through the repositories,
 * the way the pipeline writes them, with chosen dates.
 */
export async function createScenarioAgencies(db: Db): Promise<Omit<Scenario, 'documentIds'>> {
  const group = `edoc-${randomBytes(5).toString('hex')}`;
  const agencies = await createAgencies(db, 4, { group, withCertificates: false });
  await db.query(
    `INSERT INTO targets (metric, scope, value, effective_from, source) VALUES ('edoc_document_rate', $1, 0.50, '2026-01-01', 'test')`,
    [agencies[0]!.code],
  );
  const monitor = await createApiKey(db, agencies[0]!.code, 'monitor (test)');
  await db.query(`UPDATE api_keys SET scopes = '{monitor}' WHERE id = $1`, [monitor.id]);
  return { agencies, groupRef: `group:${group}`, monitorKey: monitor.key };
}

export async function addDocuments(db: Db, agencies: TestAgency[], specs: DocSpec[]): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  let n = 0;
  for (const spec of specs) ids[spec.name] = await inTransaction(db, (tx) => addDocument(tx, agencies, spec, String(++n).padStart(3, '0')));
  return ids;
}

async function addDocument(tx: Tx, agencies: TestAgency[], s: DocSpec, number: string): Promise<string> {
  const code = (i: number) => agencies[i]!.code;
  const sender = code(s.sender);
  const recipients = Object.keys(s.to).map(Number);
  const { documentId: id, dispatchIds } = await acceptTestDocument(tx, {
    sender,
    recipients: recipients.map(code),
    number,
    notation: 'UBND-VP',
    issuedOn: s.issuedOn,
    place: 'Đắk Lắk',
    subject: `Văn bản thử ${s.name}`,
    signer: { position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn A' },
    dueOn: s.dueOn ?? null,
  });
  await tx.query(`UPDATE dispatches SET created_at = $2, channel = 'hosted' WHERE document_id = $1`, [id, vn(s.sentAt)]);
  await appendLedger(tx, {
    kind: LedgerKind.documentAccepted,
    documentId: id,
    sender,
    detail: { number, notation: 'UBND-VP', year: Number(s.issuedOn.slice(0, 4)), recipients: recipients.length },
  });
  if (s.signed) await attachFile(tx, id, 'signed', await putBlob(tx, Buffer.from(`%PDF-1.7 signed ${id}`), 'application/pdf'), 'signed.pdf');
  if (s.failedInPipeline) await moveDocumentStatus(tx, id, 'accepted', 'failed', { lastError: 'sign failed (test)' });
  for (const [i, r] of recipients.entries()) {
    for (const outcome of s.to[r]!) {
      await appendLedger(tx, { kind: KIND[outcome] as never, documentId: id, dispatchId: dispatchIds[i]!, sender, recipient: code(r), channel: outcome === 'paper' ? 'paper' : 'hosted' });
    }
  }
  for (const e of s.events ?? []) {
    const dispatchId = dispatchIds[recipients.indexOf(e.to)]!;
    await tx.query(`INSERT INTO dispatch_events (dispatch_id, code, at, actor) VALUES ($1, $2, $3, 'test')`, [dispatchId, e.code, vn(e.at)]);
  }
  return id;
}

/** The scenario of the e-document rate tests: Q3 and Q4 2026 (the expected figures are worked out by hand in the tests). */
export const SCENARIO_DOCUMENTS: DocSpec[] = [
  // Q3 2026
  { name: 'D1', sender: 0, issuedOn: '2026-07-06', sentAt: '2026-07-06 09:00', dueOn: '2026-07-15', signed: true, to: { 1: ['delivered'], 2: ['delivered'] },
    events: [{ to: 1, code: '03', at: '2026-07-06 10:00' }, { to: 1, code: '06', at: '2026-07-10 16:00' },
             { to: 2, code: '03', at: '2026-07-08 08:00' }, { to: 2, code: '06', at: '2026-07-20 09:00' }] },
  { name: 'D2', sender: 0, issuedOn: '2026-08-03', sentAt: '2026-08-03 09:00', signed: true, to: { 1: ['delivered'] },
    events: [{ to: 1, code: '03', at: '2026-08-03 14:00' }] },
  { name: 'D3', sender: 0, issuedOn: '2026-08-14', sentAt: '2026-08-14 09:00', signed: true, to: { 1: ['delivered'], 3: ['paper'] },
    events: [{ to: 1, code: '03', at: '2026-08-17 15:00' }] },
  { name: 'D4', sender: 1, issuedOn: '2026-09-01', sentAt: '2026-09-01 09:00', dueOn: '2026-09-30', signed: true, to: { 0: ['delivered'], 2: ['delivered'] },
    events: [{ to: 0, code: '03', at: '2026-09-03 09:00' }, { to: 0, code: '06', at: '2026-09-25 10:00' }] },
  { name: 'D5', sender: 1, issuedOn: '2026-09-10', sentAt: '2026-09-10 09:00', signed: true, to: { 2: ['failed'] } },
  // Q4 2026
  { name: 'D6', sender: 0, issuedOn: '2026-10-05', sentAt: '2026-10-05 09:00', signed: true, to: { 1: ['delivered'], 2: ['delivered'], 3: ['delivered'] },
    events: [{ to: 1, code: '03', at: '2026-10-05 11:00' }, { to: 2, code: '03', at: '2026-10-07 00:30' }, { to: 3, code: '03', at: '2026-10-06 23:30' }] },
  { name: 'D7', sender: 0, issuedOn: '2026-10-12', sentAt: '2026-10-12 09:00', signed: true, to: { 3: ['paper'] } },
  { name: 'D8', sender: 1, issuedOn: '2026-11-02', sentAt: '2026-11-02 09:00', dueOn: '2026-11-20', signed: true, to: { 0: ['failed', 'delivered'] },
    events: [{ to: 0, code: '03', at: '2026-11-03 11:00' }, { to: 0, code: '06', at: '2026-11-19 17:00' }] },
  { name: 'D9', sender: 2, issuedOn: '2026-11-09', sentAt: '2026-11-09 09:00', signed: false, to: { 0: ['delivered'] },
    events: [{ to: 0, code: '03', at: '2026-11-09 10:00' }] },
  { name: 'D10', sender: 0, issuedOn: '2026-11-16', sentAt: '2026-11-16 09:00', signed: true, to: { 1: [] } },
  { name: 'D11', sender: 3, issuedOn: '2026-10-20', sentAt: '2026-10-20 09:00', signed: false, failedInPipeline: true, to: { 0: [], 1: [] } },
];

/** Paper documents recorded through the API: P1 A3 → A1, A2 (Q3); P2 A1 → A3 (Q4). */
export async function postPaperDispatches(baseUrl: string, agencies: TestAgency[]): Promise<void> {
  const post = async (from: TestAgency, body: unknown) => {
    const res = await fetch(`${baseUrl}/v1/paper-dispatches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${from.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`paper dispatch refused: ${res.status} ${await res.text()}`);
  };
  const base = { documentType: 'CV', notation: 'UBND-VP', subject: 'Văn bản gửi bằng giấy' };
  await post(agencies[2]!, { ...base, number: '101', issuedOn: '2026-07-20', sentOn: '2026-07-21', recipients: [agencies[0]!.code, agencies[1]!.code] });
  await post(agencies[0]!, { ...base, number: '102', issuedOn: '2026-11-20', sentOn: '2026-11-20', recipients: [agencies[2]!.code] });
}
