import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import type { Config } from '../../services/config/config';
import type { Queryable } from '../../services/db/pool';
import { dbRevocationCache } from '../../services/pki/revocation/revocation-store';
import { levelFor, permanentTypes } from '../../services/signing/ltv/permanent-types';
import type { PdfSource } from '../../services/signing/ltv/pdf-append';
import { augmentSignature, type LtvContext, type SignatureLevel, signatureParts, tokenParts } from '../../services/signing/ltv/signature-levels';
import { ValidationDataCollector } from '../../services/signing/ltv/validation-data';
import { timestampOptionsFromConfig, type TimestampOptions } from '../../services/signing/pades-signer';

// The sign stage's level (issue 21): the configured one (LIENTHONG_SIGNATURE_LEVEL, default B-LT),
// B-LTA for the document types kept permanently; B-LT and B-LTA are reached by augmenting the B-T
// signature just made (DSS from the revocation cache, then a document timestamp).

export interface LevelPlan {
  level: SignatureLevel;
  /** The signature timestamp's TSA (absent for B-B, or when no TSA is configured). */
  timestamp?: TimestampOptions;
  ltv?: LtvContext;
}

export function levelPlan(db: Queryable, config: Config, documentType: string): LevelPlan {
  const level = levelFor(documentType, config.LIENTHONG_SIGNATURE_LEVEL, permanentTypes(config.LIENTHONG_LTA_DOCUMENT_TYPES));
  const timestamp = level === 'B-B' ? undefined : timestampOptionsFromConfig(config);
  if (!timestamp) return { level: 'B-B' };
  if (level === 'B-T') return { level, timestamp };
  return { level, timestamp, ltv: { collector: collectorFor(db, config), anchors: [], tsa: timestamp } };
}

// One collector per process (per pool): it keeps each agency's validation data while it is fresh,
// so the documents of an agency share one cache read a minute.
let shared: { db: Queryable; collector: ValidationDataCollector } | undefined;
function collectorFor(db: Queryable, config: Config): ValidationDataCollector {
  if (shared?.db !== db) shared = { db, collector: new ValidationDataCollector({ cache: dbRevocationCache(db), timeoutMs: config.LIENTHONG_REVOCATION_TIMEOUT_MS }) };
  return shared.collector;
}

export interface Raised {
  src: PdfSource;
  level: SignatureLevel;
  note?: string;
  timestampExpiresAt: Date | null;
  /** Updates were appended (a file source changed on disk). */
  appended: boolean;
}

/** Raises a fresh signature to the plan's level; a B-B result (TSA policy "bb") stays as it is. */
export async function raiseToPlan(plan: LevelPlan, signed: { level: 'B-B' | 'B-T'; cms: Buffer }, src: PdfSource): Promise<Raised> {
  if (signed.level === 'B-B') return { src, level: 'B-B', timestampExpiresAt: null, appended: false };
  const token = signatureParts(signed.cms).token;
  const expires = token ? tokenParts(token).tsaNotAfter : null;
  if (!plan.ltv || (plan.level !== 'B-LT' && plan.level !== 'B-LTA')) return { src, level: signed.level, timestampExpiresAt: expires, appended: false };
  const up = await augmentSignature(src, signed.cms, plan.level, plan.ltv);
  return { src: up.src, level: up.level, ...(up.note ? { note: up.note } : {}), timestampExpiresAt: up.tsaNotAfter, appended: true };
}

/** Size and SHA-256 of a file, streamed. */
export async function fileDigest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return { size: (await fsp.stat(path)).size, sha256: hash.digest('hex') };
}
