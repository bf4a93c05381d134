// Verdicts in the terms of ETSI EN 319 102-1 (§5.1.3): PASSED, INDETERMINATE with a
// sub-indication, FAILED with a sub-indication — each with the Vietnamese sentence users read.

export type Indication = 'passed' | 'indeterminate' | 'failed';

export const FailedReason = {
  HASH_FAILURE: 'HASH_FAILURE',
  SIG_CRYPTO_FAILURE: 'SIG_CRYPTO_FAILURE',
  MODIFIED_AFTER_SIGNING: 'MODIFIED_AFTER_SIGNING',
  REVOKED: 'REVOKED',
} as const;

export const IndeterminateReason = {
  FORMAT_FAILURE: 'FORMAT_FAILURE',
  NO_CERTIFICATE_CHAIN_FOUND: 'NO_CERTIFICATE_CHAIN_FOUND',
  OUT_OF_BOUNDS_NO_POE: 'OUT_OF_BOUNDS_NO_POE',
  NOT_YET_VALID: 'NOT_YET_VALID',
  NO_REVOCATION_INFO: 'NO_REVOCATION_INFO',
  CRYPTO_CONSTRAINTS_FAILURE_NO_POE: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
  TIMESTAMP_UNTRUSTED: 'TIMESTAMP_UNTRUSTED',
} as const;

export type ReasonCode = keyof typeof FailedReason | keyof typeof IndeterminateReason;

export interface Finding {
  code: ReasonCode;
  indication: Exclude<Indication, 'passed'>;
  /** Vietnamese, for users. */
  message: string;
}

/** Worst first: the verdict is the first finding's (failed before indeterminate). */
const ORDER: ReasonCode[] = [
  'HASH_FAILURE', 'SIG_CRYPTO_FAILURE', 'MODIFIED_AFTER_SIGNING', 'REVOKED',
  'FORMAT_FAILURE', 'NO_CERTIFICATE_CHAIN_FOUND', 'OUT_OF_BOUNDS_NO_POE', 'NOT_YET_VALID', 'NO_REVOCATION_INFO',
  'CRYPTO_CONSTRAINTS_FAILURE_NO_POE', 'TIMESTAMP_UNTRUSTED',
];

export function finding(code: ReasonCode, detail: string): Finding {
  const indication = code in FailedReason ? 'failed' : 'indeterminate';
  return { code, indication, message: detail };
}

export interface Verdict {
  indication: Indication;
  /** The sub-indication of the verdict (null when passed). */
  reason: ReasonCode | null;
  /** One sentence in Vietnamese. */
  message: string;
  findings: Finding[];
}

export function verdictOf(findings: Finding[], passedMessage: string): Verdict {
  const sorted = [...findings].sort((a, b) => ORDER.indexOf(a.code) - ORDER.indexOf(b.code));
  const worst = sorted[0];
  if (!worst) return { indication: 'passed', reason: null, message: passedMessage, findings: [] };
  return { indication: worst.indication, reason: worst.code, message: worst.message, findings: sorted };
}

/** The whole document: failed if any signature failed, else indeterminate if any is, else passed. */
export function overallIndication(indications: Indication[]): Indication | null {
  if (indications.length === 0) return null;
  if (indications.includes('failed')) return 'failed';
  return indications.includes('indeterminate') ? 'indeterminate' : 'passed';
}

export const INDICATION_TEXT: Record<Indication, string> = {
  passed: 'hợp lệ',
  indeterminate: 'chưa xác định được',
  failed: 'không hợp lệ',
};
