/**
 * The definitions of design §5, in one place.
 *
 * A document's copies are its dispatches (recipients). Each copy's outcome is the latest of its
 * ledger rows dispatch_delivered / dispatch_paper / dispatch_failed, so a copy that failed and was
 * then retried and delivered counts as delivered. A recorded paper document (paper_recorded) has
 * only paper copies.
 *
 * - electronic: digitally signed, and every copy delivered electronically (so no paper copy);
 * - paper: every copy went on paper;
 * - mixed: everything else that is settled — some copies on paper, or any copy failed, or the
 *   document failed in the pipeline before being sent, or delivered without a signature;
 * - pending: some copy has no outcome yet and nothing has failed; left out of every count (rate,
 *   dispatch rate) until it settles, and shown apart so a stuck document is visible.
 */
export type DocumentCategory = 'electronic' | 'paper' | 'mixed' | 'pending';

export interface DocumentOutcomes {
  copies: number;
  delivered: number;
  paper: number;
  failed: number;
  signed: boolean;
  /** The document itself failed (convert/sign/route) and no copy will ever go out. */
  pipelineFailed: boolean;
}

export function classifyDocument(o: DocumentOutcomes): DocumentCategory {
  if (o.pipelineFailed) return 'mixed';
  const settled = o.delivered + o.paper + o.failed;
  if (o.failed === 0 && settled < o.copies) return 'pending';
  if (o.copies > 0 && o.delivered === o.copies && o.signed) return 'electronic';
  if (o.copies > 0 && o.paper === o.copies) return 'paper';
  return 'mixed';
}

/** A copy is electronic when it was delivered electronically and the document is signed. */
export function electronicCopies(o: DocumentOutcomes): number {
  return o.signed && !o.pipelineFailed ? o.delivered : 0;
}

/** Copies counted in the dispatch rate's denominator: all of a settled document's copies. */
export function countedCopies(o: DocumentOutcomes): number {
  return Math.max(o.copies, o.delivered + o.paper + o.failed);
}
