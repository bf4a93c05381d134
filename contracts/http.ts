import { z } from 'zod';
import { DOCUMENT_TYPE_CODES } from './document-types';
import { Channel, DispatchStatus, DocumentStatus, Urgency } from './statuses';

/** HTTP bodies of API v1 (../shared/design.md §6). Field names are a contract: add, never rename. */

export const AGENCY_CODE_PATTERN = /^[0-9A-Z.]{1,35}$/;
export const AgencyCode = z.string().regex(AGENCY_CODE_PATTERN, 'mã định danh: 1–35 ký tự 0-9, A-Z và dấu chấm');
/** A recipient is an agency code or a group reference `group:<id>`. */
export const RecipientRef = z.union([AgencyCode, z.string().regex(/^group:[a-z0-9-]{1,64}$/)]);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày dạng YYYY-MM-DD');

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
    documentType: z.enum(DOCUMENT_TYPE_CODES),
    number: z.string().regex(/^[0-9]{1,10}[a-z]?$/, 'số văn bản là chữ số, ví dụ 015').optional(),
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
  })
  .strict();
export type DocumentMetadata = z.infer<typeof DocumentMetadata>;

export const SubmitDocumentResponse = z.object({
  id: z.string().uuid(),
  status: z.enum(Object.values(DocumentStatus) as [DocumentStatus, ...DocumentStatus[]]),
  links: z.object({ self: z.string() }),
});
export type SubmitDocumentResponse = z.infer<typeof SubmitDocumentResponse>;

export const FileRole = z.string().regex(/^(original|canonical|signed|attachment-\d+)$/);

export interface DispatchEventView {
  code: string;
  at: string;
  actor: string | null;
  note: string | null;
}

export interface DispatchView {
  id: string;
  recipient: string;
  channel: Channel | null;
  status: DispatchStatus;
  incomingNumber: string | null;
  deliveredAt: string | null;
  events: DispatchEventView[];
}

export interface DocumentView {
  id: string;
  status: DocumentStatus;
  sender: string;
  metadata: DocumentMetadata & { number: string };
  files: { role: string; sha256: string; size: number; contentType: string }[];
  dispatches: DispatchView[];
  createdAt: string;
}

export interface InboxItem {
  dispatchId: string;
  documentId: string;
  sender: string;
  subject: string;
  number: string;
  notation: string;
  urgency: Urgency;
  status: DispatchStatus;
  deliveredAt: string | null;
}

export interface InboxPage {
  items: InboxItem[];
  nextCursor: string | null;
}

export interface AgencyView {
  code: string;
  name: string;
  parent: string | null;
  level: number;
  channel: Channel;
  groups: string[];
}
