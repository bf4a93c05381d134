/**
 * Stable status keys. They are stored in PostgreSQL and shown to API clients; the UI translates
 * them. Never rename a value without a migration.
 */
export const DocumentStatus = {
  accepted: 'accepted',
  converted: 'converted',
  signed: 'signed',
  routed: 'routed',
  failed: 'failed',
  revoked: 'revoked',
  replaced: 'replaced',
} as const;
export type DocumentStatus = (typeof DocumentStatus)[keyof typeof DocumentStatus];

/** Dispatch (one recipient copy) states before delivery, then the edXML status codes after it. */
export const DispatchStatus = {
  pending: 'pending',
  delivering: 'delivering',
  delivered: 'delivered',
  paper: 'paper',
  failed: 'failed',
  refused: 'refused',
  accepted: 'accepted',
  assigned: 'assigned',
  processing: 'processing',
  completed: 'completed',
  revoked: 'revoked',
} as const;
export type DispatchStatus = (typeof DispatchStatus)[keyof typeof DispatchStatus];

/** edXML status codes (QCVN 102:2016), two-character strings. */
export const EdxmlStatusCode = {
  arrived: '01',
  refused: '02',
  accepted: '03',
  assigned: '04',
  processing: '05',
  completed: '06',
  takeBack: '13',
  agreeUpdate: '15',
  refuseUpdate: '16',
} as const;
export type EdxmlStatusCode = (typeof EdxmlStatusCode)[keyof typeof EdxmlStatusCode];

export const Channel = { hosted: 'hosted', push: 'push', paper: 'paper', relay: 'relay', axis: 'axis' } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

export const Urgency = { normal: 'normal', urgent: 'urgent', very_urgent: 'very_urgent', flash: 'flash' } as const;
export type Urgency = (typeof Urgency)[keyof typeof Urgency];

/** Ledger row kinds: the e-document rate is computed from these. */
export const LedgerKind = {
  documentAccepted: 'document_accepted',
  dispatchDelivered: 'dispatch_delivered',
  dispatchPaper: 'dispatch_paper',
  dispatchFailed: 'dispatch_failed',
  dispatchRevoked: 'dispatch_revoked',
  paperRecorded: 'paper_recorded',
  /** Issue 21: a new document timestamp added to a signed PDF (may repeat per document). */
  signatureRenewed: 'signature_renewed',
  /** Its files removed after the retention period, approved by an administrator (issue 21). */
  documentDisposed: 'document_disposed',
} as const;
export type LedgerKind = (typeof LedgerKind)[keyof typeof LedgerKind];
