import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from './document-types';
import { Channel, DispatchStatus, DocumentStatus, Urgency } from './statuses';

/** HTTP bodies of API v1 (README "API v1"). Field names are a contract: add, never rename. */

export const AGENCY_CODE_PATTERN = /^[0-9A-Z.]{1,35}$/;
export const AgencyCode = z.string().regex(AGENCY_CODE_PATTERN, 'mã định danh: 1–35 ký tự 0-9, A-Z và dấu chấm');
/** A recipient is an agency code or a group reference `group:<id>`. */
export const RecipientRef = z.union([AgencyCode, z.string().regex(/^group:[a-z0-9-]{1,64}$/)]);

import { isoDate } from './iso-date';
export { isoDate };

/**
 * A document number (số): 1–7 digits and optionally one letter (015, 74a). Leading zeros do not
 * make another number: "77", "077" and "0077" are one number of the year's register.
 */
export const DOCUMENT_NUMBER_PATTERN = /^[0-9]{1,7}[A-Za-z]?$/;
export const DOCUMENT_NUMBER_RULE = 'số văn bản: 1–7 chữ số, có thể thêm một chữ cái (ví dụ 15, 015, 74a)';
export const DocumentNumber = z.string().regex(DOCUMENT_NUMBER_PATTERN, DOCUMENT_NUMBER_RULE);

export const Signer = z
  .object({
    authority: z.string().max(20).optional(),
    position: z.string().min(1).max(200),
    fullName: z.string().min(1).max(200),
  })
  .strict();

export const Classification = z.enum(['normal', 'confidential', 'secret', 'top_secret']);

export const DocumentMetadata = z
  .object({
    /** Optional: when given it must be the caller's own agency (a key never sends for another). */
    sender: AgencyCode.optional(),
    documentType: z.enum(DOCUMENT_TYPE_CODES),
    /** A string (012 is real); 1–7 digits, real systems add a letter (74a, 30c). */
    number: DocumentNumber.optional(),
    notation: z.string().min(1).max(100),
    issuedOn: isoDate,
    place: z.string().min(1).max(100),
    subject: z.string().min(1).max(2000),
    summary: z.string().max(10000).optional(),
    signer: Signer,
    urgency: z.enum([Urgency.normal, Urgency.urgent, Urgency.very_urgent, Urgency.flash]).default(Urgency.normal),
    dueOn: isoDate.nullable().optional(),
    classification: Classification.default('normal'),
    recipients: z.array(RecipientRef).min(1).max(1000),
    recipientsText: z.array(z.string().max(300)).max(200).optional(),
    responseFor: z.string().uuid().nullable().optional(),
    steeringType: z.enum(['none', 'steering', 'report']).optional(),
    /** The sender's outgoing register book (GET /v1/registers/books?kind=outgoing); absent: the default book. */
    registerBook: z.string().uuid().nullable().optional(),
  })
  .strict();
export type DocumentMetadata = z.infer<typeof DocumentMetadata>;

export const SubmitDocumentResponse = z.object({
  id: z.string().uuid(),
  status: z.enum(Object.values(DocumentStatus) as [DocumentStatus, ...DocumentStatus[]]),
  links: z.object({ self: z.string() }),
});
export type SubmitDocumentResponse = z.infer<typeof SubmitDocumentResponse>;

/** `attachment-N` is the delivered (converted, signed) attachment; `attachment-N-source` the upload. */
export const FileRole = z.string().regex(/^(original|canonical|signed|attachment-\d+(-source)?)$/);
/** What a recipient receives: the signed document and the signed attachments. */
export const RECIPIENT_FILE_ROLE = /^(signed|attachment-\d+)$/;

const enumOf = <T extends Record<string, string>>(o: T) => z.enum(Object.values(o) as [T[keyof T], ...T[keyof T][]]);

/** Response bodies are schemas too: the OpenAPI document is generated from them. */
export const DispatchEventView = z.object({
  code: z.string(),
  at: z.string(),
  actor: z.string().nullable(),
  note: z.string().nullable(),
});
export type DispatchEventView = z.infer<typeof DispatchEventView>;

export const DispatchView = z.object({
  id: z.string().uuid(),
  recipient: z.string(),
  channel: enumOf(Channel).nullable(),
  status: enumOf(DispatchStatus),
  incomingNumber: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  events: z.array(DispatchEventView),
  /** A deadline has passed and the status it waits for has not come (services/domain/dispatches/overdue.ts). */
  overdue: z.boolean(),
  /** not_registered: no 03 by the end of the next working day after arrival; not_completed: no 06 by the deadline. */
  overdueReason: z.enum(['not_registered', 'not_completed']).nullable(),
  /** Push attempts made in the current retry budget, the last one's error, when the next is due (issue 16). */
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
});
export type DispatchView = z.infer<typeof DispatchView>;

/** The outcomes of a push attempt (services/domain/dispatches/attempt-outcome.ts says what each means). */
export const PUSH_ATTEMPT_OUTCOMES = ['started', 'delivered', 'failed', 'interrupted'] as const;

/** One push attempt of a dispatch (table dispatch_attempts), as GET /v1/documents/:id/dispatches/:dispatchId/attempts lists it. */
export const DispatchAttemptView = z.object({
  /** The attempt's number within its retry budget (an operator retry starts again at 1). */
  attempt: z.number().int(),
  /** The retry budget it belongs to: 1, then one more for each operator retry of the copy; `round` and `attempt` together name an attempt once. */
  round: z.number().int(),
  /** When the attempt began; null for attempts recorded before the start was kept (migration 0107). */
  startedAt: z.string().nullable(),
  /** When the row's outcome was written (for `started`, the start; for `interrupted`, when the interruption was found). */
  at: z.string(),
  /** started: under way; delivered; failed; interrupted: the worker stopped mid-attempt, whether the endpoint got it is unknown. */
  outcome: z.enum(PUSH_ATTEMPT_OUTCOMES),
  httpStatus: z.number().int().nullable(),
  error: z.string().nullable(),
  proof: z.enum(['http-2xx', 'receipt']).nullable(),
});
export type DispatchAttemptView = z.infer<typeof DispatchAttemptView>;

/** GET /v1/documents/:id/dispatches/:dispatchId/attempts: newest first, keyset pages like the inbox. */
export const DispatchAttemptPage = z.object({
  items: z.array(DispatchAttemptView),
  /** Every attempt of the copy, never capped by the page size. */
  total: z.number().int(),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});
export type DispatchAttemptPage = z.infer<typeof DispatchAttemptPage>;

export const FileView = z.object({ role: z.string(), sha256: z.string(), size: z.number().int(), contentType: z.string() });

/** One arriving signature's verdict in ETSI terms (passed / indeterminate / failed) with its reason code. */
export const SignatureLineView = z.object({
  index: z.number().int(),
  kind: z.enum(['signature', 'document-timestamp']),
  signer: z.string().nullable(),
  signingTime: z.string().nullable(),
  indication: z.enum(['passed', 'indeterminate', 'failed']),
  reason: z.string().nullable(),
  message: z.string(),
  findings: z.array(z.object({ code: z.string(), message: z.string() })),
  coversWholeDocument: z.boolean(),
  revision: z.number().int().nullable(),
  revisions: z.number().int().nullable(),
  changes: z.array(z.object({ revision: z.number().int(), text: z.string(), allowed: z.boolean() })),
  chainTrusted: z.boolean(),
  timestamp: z.object({ time: z.string().nullable(), tsa: z.string().nullable(), trusted: z.boolean(), valid: z.boolean() }).nullable(),
  validationTime: z.string(),
  revocation: z.string(),
  algorithm: z.string().nullable(),
}).passthrough();

export const DocumentView = z.object({
  id: z.string().uuid(),
  status: enumOf(DocumentStatus),
  sender: z.string(),
  metadata: DocumentMetadata.extend({ number: z.string() }),
  files: z.array(FileView),
  dispatches: z.array(DispatchView),
  createdAt: z.string(),
  lastError: z.string().optional(),
  /** The level our signature reached, and what the intake found in a PDF that arrived signed. */
  signature: z
    .object({ level: z.enum(['B-B', 'B-T', 'B-LT', 'B-LTA']).nullable(), note: z.string().nullable(), incoming: z.unknown() })
    .optional(),
  /** The signatures the PDF arrived with, one report each (issue 15). */
  signatures: z.array(SignatureLineView).optional(),
  /** Vietnamese warnings about those signatures (indeterminate ones), shown to every recipient. */
  signatureWarnings: z.array(z.string()).optional(),
});
export type DocumentView = z.infer<typeof DocumentView>;

export const InboxItem = z.object({
  dispatchId: z.string().uuid(),
  documentId: z.string().uuid(),
  sender: z.string(),
  subject: z.string(),
  number: z.string(),
  notation: z.string(),
  urgency: enumOf(Urgency),
  status: enumOf(DispatchStatus),
  deliveredAt: z.string().nullable(),
  /** A revoked (thu hồi) copy stays listed with status `revoked`, the sender's reason and the time (issue 16). */
  revokedAt: z.string().nullable(),
  revokeReason: z.string().nullable(),
});
export type InboxItem = z.infer<typeof InboxItem>;

export const InboxPage = z.object({
  items: z.array(InboxItem),
  /** Every delivered copy in the inbox, never capped by the page size. */
  total: z.number().int(),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});
export type InboxPage = z.infer<typeof InboxPage>;

export const AgencyView = z.object({
  code: z.string(),
  name: z.string(),
  parent: z.string().nullable(),
  level: z.number().int(),
  channel: enumOf(Channel),
  groups: z.array(z.string()),
  /** Issue 22: where the agency is reached — served here, by a peer hub (peerId), or through the national axis. */
  reachedVia: z.enum(['local', 'peer', 'axis']),
  peerId: z.string().nullable(),
  /** The agency's other identifier form (Decision-20 code ↔ QCVN 102 identifier), when known. */
  altCode: z.string().nullable(),
  /** When a peer or the axis last listed the agency (ISO 8601); null for local agencies. */
  lastSeenAt: z.string().nullable(),
});
export type AgencyView = z.infer<typeof AgencyView>;

export const AgencyDirectory = z.object({
  agencies: z.array(AgencyView),
  groups: z.array(z.object({ id: z.string(), name: z.string(), members: z.array(z.string()), ref: z.string() })),
});

export const ErrorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.array(z.unknown()).optional() }),
});

export const StatusResult = z.object({
  dispatchId: z.string().uuid(),
  documentId: z.string().uuid(),
  status: enumOf(DispatchStatus),
  incomingNumber: z.string().nullable(),
  recorded: z.boolean(),
});

export const RevokeResult = z.object({ id: z.string().uuid(), status: enumOf(DocumentStatus), revokedDispatches: z.number().int() });

export const OutboxPage = z.object({
  items: z.array(
    z.object({
      documentId: z.string().uuid(),
      number: z.string(),
      notation: z.string(),
      subject: z.string(),
      urgency: z.string(),
      status: z.string(),
      createdAt: z.string(),
      dispatches: z.record(z.string(), z.number().int()),
      overdue: z.number().int(),
      /** Copies still retried after a failed push attempt, and the latest error of a copy (issue 16). */
      retrying: z.number().int(),
      lastError: z.string().nullable(),
    }),
  ),
  total: z.number().int(),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable(),
});

/** POST /v1/inbox/:dispatchId/status (recipient: 01–06, 15, 16) — the sender posts 13. */
export const StatusBody = z
  .object({
    code: z.enum(['01', '02', '03', '04', '05', '06', '13', '15', '16']),
    note: z.string().max(2000).nullable().optional(),
    /** Only with 03: the incoming book (GET /v1/registers/books) and the registration date; absent: default book, today. */
    register: z
      .object({ bookId: z.string().uuid().optional(), registeredOn: isoDate.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type StatusBody = z.infer<typeof StatusBody>;

/** POST /v1/documents/:id/revoke */
export const RevokeBody = z.object({ reason: z.string().min(1).max(2000) }).strict();
export type RevokeBody = z.infer<typeof RevokeBody>;

/** POST /v1/paper-dispatches: a document sent on paper outside the system (design §5). */
export const PaperDispatchRequest = z
  .object({
    documentType: z.enum(DOCUMENT_TYPE_CODES),
    number: DocumentNumber,
    notation: z.string().min(1).max(100),
    issuedOn: isoDate,
    subject: z.string().min(1).max(2000),
    recipients: z.array(RecipientRef).min(1).max(1000),
    sentOn: isoDate,
  })
  .strict();
export type PaperDispatchRequest = z.infer<typeof PaperDispatchRequest>;

/** GET /v1/stats/edoc-rate. `agency` is a code or `group:<id>`; periods are by issue date. */
export const EdocRateQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    agency: RecipientRef.optional(),
    groupBy: z.enum(['quarter', 'month', 'agency']).default('quarter'),
  })
  .strict();
export type EdocRateQuery = z.infer<typeof EdocRateQuery>;

/** Recipient-side timeliness; denominators hold only dispatches whose deadline passed or that were done. */
export interface OnTimeFigures {
  /** Electronically delivered dispatches acknowledged (01) or past their acknowledgement deadline. */
  dispatches: number;
  acknowledged: number;
  /** 01 by the end of the next working day after sending (Vietnam time). */
  acknowledgedOnTime: number;
  acknowledgedOnTimeRate: number | null;
  /** Dispatches of documents with a due date, completed (06) or past it. */
  withDueDate: number;
  completed: number;
  /** 06 by the end of the due date (Vietnam time). */
  completedOnTime: number;
  completedOnTimeRate: number | null;
}

export interface EdocRateCounts {
  electronic: number;
  paper: number;
  mixed: number;
  total: number;
  /** electronic ÷ total, 4 decimals; null when total is 0. */
  rate: number | null;
  /** electronic dispatches ÷ all dispatches of the counted documents. */
  dispatchRate: number | null;
  dispatches: number;
  electronicDispatches: number;
  /** Documents still in flight (a copy with no outcome yet): not counted until settled. */
  pending: number;
  onTime: OnTimeFigures;
}

export interface EdocRateGroup extends EdocRateCounts {
  key: string;
  name?: string;
  target: number | null;
  onTrack: boolean | null;
}

export interface EdocRateResponse {
  from: string;
  to: string;
  agency: string | null;
  groupBy: 'quarter' | 'month' | 'agency';
  periodBasis: 'issued_on';
  target: number | null;
  totals: EdocRateCounts & { onTrack: boolean | null };
  groups: EdocRateGroup[];
}

/** GET /v1/registers/books: an agency's register books (sổ đăng ký văn bản đến/đi), the default first. */
export const RegisterBookView = z.object({
  id: z.string().uuid(),
  name: z.string(),
  kind: z.enum(['incoming', 'outgoing']),
  isDefault: z.boolean(),
});
export type RegisterBookView = z.infer<typeof RegisterBookView>;
export const RegisterBookList = z.object({ books: z.array(RegisterBookView) });
export type RegisterBookList = z.infer<typeof RegisterBookList>;

/** POST /v1/registers/books */
export const CreateRegisterBookBody = z.object({ kind: z.enum(['incoming', 'outgoing']), name: z.string().min(1).max(200) }).strict();
export type CreateRegisterBookBody = z.infer<typeof CreateRegisterBookBody>;
