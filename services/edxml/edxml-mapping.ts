import { DOCUMENT_TYPES, type DocumentType } from '../../contracts/document-types';
import { DocumentMetadata } from '../../contracts/http';
import { Urgency } from '../../contracts/statuses';
import {
  EdxmlError, type EdxmlAttachment, type EdxmlBusiness, type EdxmlDocument, type EdxmlOrgan, type EdxmlOtherInfo,
  type EdxmlResponseFor, type EdxmlTraceHeader,
} from './edxml-types';
import { compact, edxmlTimestampOf } from './edxml-values';

type SteeringType = NonNullable<DocumentMetadata['steeringType']>;

const PRIORITY_TO_URGENCY: Record<EdxmlOtherInfo['priority'], Urgency> = {
  0: Urgency.normal,
  1: Urgency.urgent,
  2: Urgency.very_urgent,
  3: Urgency.flash,
  4: Urgency.flash, // "Hỏa tốc hẹn giờ": we have no timed flash, flash is the nearest
};
const URGENCY_TO_PRIORITY: Record<Urgency, EdxmlOtherInfo['priority']> = { normal: 0, urgent: 1, very_urgent: 2, flash: 3 };

/**
 * SteeringType: one source codes 0–2 (0 not steering), the annotated 2023 template 1–3 (1 not
 * steering). We emit 1–3; on input 0 and 1 both read as "none", 2 as steering, 3 as report, so a
 * 0–2 sender's "report" (2) reads as steering — the least harmful confusion we can pick.
 */
export function steeringFromEdxml(raw: string | undefined): SteeringType | undefined {
  switch (raw?.trim()) {
    case '0':
    case '1':
      return 'none';
    case '2':
      return 'steering';
    case '3':
      return 'report';
    default:
      return undefined;
  }
}

export function steeringToEdxml(value: SteeringType | undefined): string | undefined {
  return value === undefined ? undefined : { none: '1', steering: '2', report: '3' }[value];
}

const fold = (s: string) =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase().replace(/\s+/g, ' ').trim();

const BY_NAME = new Map<string, DocumentType>(
  (Object.entries(DOCUMENT_TYPES) as [DocumentType, string][]).map(([code, name]) => [fold(name), code]),
);

/** TypeName → our type code, ignoring case and diacritics (senders often type without them). */
export function documentTypeFromName(typeName: string | undefined): DocumentType {
  return (typeName && BY_NAME.get(fold(typeName))) || 'CV';
}

/** Fields of DocumentMetadata named the edXML way, so a refusal points at the element to fix. */
const ELEMENT_OF: Record<string, string> = {
  documentType: 'DocumentType/TypeName',
  number: 'Code/CodeNumber',
  notation: 'Code/CodeNotation',
  issuedOn: 'PromulgationInfo/PromulgationDate',
  place: 'PromulgationInfo/Place',
  subject: 'Subject',
  summary: 'Content',
  signer: 'SignerInfo',
  dueOn: 'DueDate',
  recipients: 'To',
  recipientsText: 'ToPlaces',
};

/**
 * An incoming edXML document as our submission metadata. `recipients` are resolved by the caller
 * (usually the To organ ids). Throws EdxmlError when the edXML lacks what our contract requires
 * (e.g. an empty SignerInfo, a number such as '74fass22').
 */
export function toDocumentMetadata(doc: EdxmlDocument, recipients: string[]): DocumentMetadata {
  const candidate = {
    documentType: documentTypeFromName(doc.documentType.typeName),
    number: doc.code.number,
    notation: doc.code.notation,
    issuedOn: doc.promulgation.date,
    place: doc.promulgation.place,
    subject: doc.subject,
    summary: doc.content,
    signer: compact({ authority: doc.signer.competence, position: doc.signer.position ?? '', fullName: doc.signer.fullName ?? '' }),
    urgency: PRIORITY_TO_URGENCY[doc.otherInfo.priority],
    dueOn: doc.dueDate ?? null,
    classification: 'normal' as const,
    recipients,
    recipientsText: doc.toPlaces.length ? doc.toPlaces : undefined,
    steeringType: steeringFromEdxml(doc.steeringType),
  };
  const parsed = DocumentMetadata.safeParse(compact(candidate));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const [field, sub] = issue.path.map(String);
    const element = field === 'signer' && sub ? `SignerInfo/${{ authority: 'Competence', position: 'Position', fullName: 'FullName' }[sub] ?? sub}` : ELEMENT_OF[field ?? ''] ?? field;
    throw new EdxmlError('EDXML_INVALID_VALUE', `does not fit our document metadata: ${issue.message}`, element);
  }
  return parsed.data;
}

/** What the metadata does not know: the parties, the files and the exchange bookkeeping. */
export interface EdxmlEnvelopeContext {
  from: EdxmlOrgan;
  to: EdxmlOrgan[];
  /** The number assigned on registration when metadata.number is still empty. */
  number?: string;
  documentId?: string | null;
  content?: string;
  attachments?: EdxmlAttachment[];
  responseFor?: EdxmlResponseFor[];
  business?: EdxmlBusiness;
  traceHeaders?: EdxmlTraceHeader[];
  /** Defaults to now; used for the sender's TraceHeader. */
  sentAt?: Date;
}

/** The reverse of toDocumentMetadata, for emitEdxmlDocument. */
export function fromDocumentMetadata(meta: DocumentMetadata, ctx: EdxmlEnvelopeContext): EdxmlDocument {
  const number = meta.number ?? ctx.number;
  if (!number) throw new EdxmlError('EDXML_MISSING_ELEMENT', 'the document has no number yet', 'Code/CodeNumber');
  return compact({
    from: ctx.from,
    to: ctx.to,
    documentId: ctx.documentId ?? null,
    code: { number, notation: meta.notation },
    promulgation: { place: meta.place, date: meta.issuedOn },
    documentType: { typeName: DOCUMENT_TYPES[meta.documentType] },
    subject: meta.subject,
    content: meta.summary ?? ctx.content,
    signer: compact({ competence: meta.signer.authority, position: meta.signer.position, fullName: meta.signer.fullName }),
    dueDate: meta.dueOn ?? undefined,
    otherInfo: { priority: URGENCY_TO_PRIORITY[meta.urgency] },
    responseFor: ctx.responseFor ?? [],
    steeringType: steeringToEdxml(meta.steeringType),
    toPlaces: meta.recipientsText ?? [],
    business: ctx.business ?? { businessDocType: 0, paper: 0 },
    traceHeaders: ctx.traceHeaders ?? [{ organId: ctx.from.organId, timestamp: edxmlTimestampOf(ctx.sentAt ?? new Date()) }],
    attachments: ctx.attachments ?? [],
  });
}
