import path from 'node:path';
import { run } from '../../../infra/embedded/common';
import { projectRoot } from '../../../services/config/project-root';
import { audit, settle } from '../audit';
import { tallyDispatches } from '../../../test/support/delivery-audit';
import type { RestoreStack } from './restore-stack';
import type { Traffic } from './traffic';

/** One row of drills/results/restore.json. */
export interface RestoreScenarioResult {
  name: string;
  /** Documents the client saw accepted before the recovery point (from the list outside the database). */
  documentsBefore: number;
  /** Of those, how many the restored database has whole: the row, the original file's bytes, the ledger row. */
  documentsAfter: number;
  lostBeforeRecoveryPoint: number;
  /** Fault (or service stopped) → the service ready on the restored database. */
  recoverySeconds: number;
  ledgerOk: boolean;
  recoveryPoint: string | null;
  /** Accepted after the recovery point and therefore gone (the data a restore to that point gives up). */
  acceptedAfterRecoveryPointLost: number;
  /** Every copy of every restored document delivered, counted once (timeline, ledger, inboxes, receiver). */
  inFlightDelivered: boolean;
  /** Push copies sent again with their first delivery id (delivered after the recovery point, so the restored database did not know): the receiver drops them by X-LienThong-Delivery. */
  pushResentSameId: number;
  copies: { sent: number; delivered: number; duplicated: number; lost: number };
  settleSeconds: number | null;
  notes: string[];
}

/** Documents of `ids` present with their original file (bytes readable) and their acceptance ledger row. */
export async function wholeDocuments(stack: RestoreStack, ids: string[]): Promise<Set<string>> {
  const r = await stack.db.query<{ id: string }>(
    `SELECT d.id FROM documents d
      WHERE d.id = ANY($1::uuid[])
        AND EXISTS (SELECT 1 FROM document_files f JOIN blobs b ON b.sha256 = f.blob_sha256
                     WHERE f.document_id = d.id AND f.role = 'original' AND (octet_length(b.bytes) = b.size OR b.chunks >= 1))
        AND EXISTS (SELECT 1 FROM ledger l WHERE l.document_id = d.id AND l.kind = 'document_accepted')`,
    [ids],
  );
  return new Set(r.rows.map((x) => x.id));
}

/**
 * After a restore to `recoveryPoint` (ms): the list kept outside the database against what came
 * back, the ledger chain, and every restored document delivered to every recipient exactly once.
 */
export async function auditRestore(stack: RestoreStack, name: string, traffic: Traffic, recoveryPointMs: number, faultAt: number, readyAt: number, receiverDupBefore: number, notes: string[]): Promise<RestoreScenarioResult> {
  const list = traffic.accepted;
  const before = list.filter((a) => a.acceptedAt <= recoveryPointMs);
  const after = list.filter((a) => a.acceptedAt > recoveryPointMs);
  const whole = await wholeDocuments(stack, list.map((a) => a.id));
  const lostBefore = before.filter((a) => !whole.has(a.id));
  if (lostBefore.length) notes.push(`missing before the recovery point: ${lostBefore.slice(0, 5).map((a) => a.id).join(', ')}`);
  const present = list.filter((a) => whole.has(a.id)).map((a) => a.id);
  const settledAt = await settle(stack, present, 180_000);
  const a = await audit(stack, name, present, settledAt, readyAt, receiverDupBefore, notes);
  // What the operator runs after a restore: `lienthong ledger verify`, exit 0 when the chain is sound.
  const cli = await run(process.execPath, [path.join(projectRoot(), 'dist', 'services', 'cli', 'main.js'), 'ledger', 'verify'], { env: { ...process.env } });
  const ledger = { ok: cli.code === 0 };
  notes.push(`lienthong ledger verify: ${cli.output.trim().split('\n').at(-1)}`);
  const resent = stack.receiver.duplicates() - receiverDupBefore;
  if (a.duplicated > resent) {
    const twice = (await tallyDispatches(stack.db, present)).filter((t) => t.arrived > 1 || t.ledger > 1);
    notes.push(`recorded more than once: ${JSON.stringify(twice.slice(0, 5))} (${twice.length} dispatches; the rest of ${a.duplicated - resent} are inbox rows)`);
  }
  // What the restore gave up is gone for good: the next scenario's list starts from what came back.
  traffic.keepOnly(whole);
  return {
    name,
    documentsBefore: before.length,
    documentsAfter: before.length - lostBefore.length,
    lostBeforeRecoveryPoint: lostBefore.length,
    recoverySeconds: Math.round((readyAt - faultAt) / 100) / 10,
    ledgerOk: ledger.ok && a.ledgerOk,
    recoveryPoint: new Date(recoveryPointMs).toISOString(),
    acceptedAfterRecoveryPointLost: after.filter((x) => !whole.has(x.id)).length,
    inFlightDelivered: settledAt !== null && a.lost === 0 && a.duplicated - resent === 0 && a.stuckJobs === 0,
    pushResentSameId: resent,
    copies: { sent: a.sent, delivered: a.delivered, duplicated: a.duplicated - resent, lost: a.lost },
    settleSeconds: settledAt === null ? null : Math.round((settledAt - readyAt) / 100) / 10,
    notes: a.notes,
  };
}
