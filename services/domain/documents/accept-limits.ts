import type { Config } from '../../config/config';
import type { PaperLimits } from '../paper/record-paper-dispatch';
import { signatureIntakeOptions, type SignatureIntakeOptions } from './arriving-signatures';

/** How far in the future an issue date may be, for clocks a little ahead. */
const FUTURE_SKEW_DAYS = 1;

/** What an intake checks a submission against (acceptDocument): built only by acceptLimitsFrom below. */
export interface AcceptLimits {
  maxRecipients: number;
  /** How far in the future an issue date may be, for clocks a little ahead. */
  futureSkewDays: number;
  /** Extra trust anchors (PEM files) for checking PDFs that arrive signed. */
  trustStoreDir?: string | undefined;
  /** How PDFs that arrive signed are treated (default: refuse failed signatures). */
  signatures?: SignatureIntakeOptions | undefined;
}

type LimitsConfig = Pick<
  Config,
  | 'LIENTHONG_MAX_RECIPIENTS'
  | 'LIENTHONG_TRUST_STORE'
  | 'LIENTHONG_SIGNATURE_INTAKE_POLICY'
  | 'LIENTHONG_REVOCATION_SOFT_FAIL'
  | 'LIENTHONG_REVOCATION_TIMEOUT_MS'
  | 'LIENTHONG_VERIFY_BUDGET_MS'
>;

/**
 * The one place the intake's limits come from: every channel that accepts a document (API JSON and
 * multipart, edXML, the web's send form and issued drafts) gets the same recipient bound, date skew,
 * trust store and signature policy.
 */
export function acceptLimitsFrom(config: LimitsConfig): AcceptLimits {
  return {
    maxRecipients: config.LIENTHONG_MAX_RECIPIENTS,
    futureSkewDays: FUTURE_SKEW_DAYS,
    trustStoreDir: config.LIENTHONG_TRUST_STORE,
    signatures: signatureIntakeOptions(config),
  };
}

/** The same bounds for a document recorded as sent on paper (no file, so no signatures). */
export function paperLimitsFrom(config: Pick<Config, 'LIENTHONG_MAX_RECIPIENTS'>): PaperLimits {
  return { maxRecipients: config.LIENTHONG_MAX_RECIPIENTS, futureSkewDays: FUTURE_SKEW_DAYS };
}
