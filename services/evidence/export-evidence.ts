import type { Writable } from 'node:stream';
import type { Config } from '../config/config';
import type { Queryable } from '../db/pool';
import type { DocumentRow } from '../domain/documents/document-reads';
import { hubSealIdentity } from '../domain/receipts/hub-seal';
import { logger } from '../logging/logger';
import { collectEvidence } from './evidence-collect';
import { writeEvidenceZip } from './evidence-zip';

const log = logger('evidence');

/**
 * A document's evidence bundle, streamed to `out`: the parts (anchoring the document's chain now
 * when its last rows are not anchored yet and a TSA is configured; without one, or when it does
 * not answer, the bundle says the rows are not anchored), sealed by the hub.
 */
export async function exportEvidence(
  db: Queryable,
  config: Pick<Config, 'masterKey' | 'LIENTHONG_DEV_MODE' | 'LIENTHONG_TSA_URL' | 'LIENTHONG_TSA_TIMEOUT_MS'>,
  doc: DocumentRow,
  viewer: { agencyCode: string; asSender: boolean },
  out: Writable,
): Promise<void> {
  const keys = { masterKey: config.masterKey, devMode: config.LIENTHONG_DEV_MODE };
  const seal = await hubSealIdentity(db, keys.masterKey, keys.devMode);
  const tsa = config.LIENTHONG_TSA_URL ? { url: config.LIENTHONG_TSA_URL, timeoutMs: config.LIENTHONG_TSA_TIMEOUT_MS } : undefined;
  const parts = await collectEvidence(db, doc, {
    viewer: viewer.agencyCode, asSender: viewer.asSender, keys, tsa,
    onAnchorError: (err) => log.warn({ err, documentId: doc.id }, 'the evidence export could not anchor the ledger chain; the bundle says its rows are not anchored'),
  });
  await writeEvidenceZip(db, parts, seal, out);
}
