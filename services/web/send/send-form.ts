import { DocumentMetadata } from '../../../contracts';

/** What the clerk typed, kept as strings so the form can be shown again with the errors. */
export interface SendFormValues {
  documentType: string;
  number: string;
  notation: string;
  issuedOn: string;
  place: string;
  subject: string;
  signerAuthority: string;
  signerPosition: string;
  signerName: string;
  urgency: string;
  dueOn: string;
  recipients: string[];
  source: 'upload' | 'compose';
  bodyText: string;
  copies: string;
  formKey: string;
  /** The outgoing register book's id; empty: the default book. */
  registerBook?: string;
}

export type FieldErrors = Record<string, string>;

/** Metadata paths of the contract → the form field that shows the error. */
const FIELD_OF: Record<string, string> = {
  documentType: 'documentType',
  number: 'number',
  notation: 'notation',
  issuedOn: 'issuedOn',
  place: 'place',
  subject: 'subject',
  'signer.authority': 'signerAuthority',
  'signer.position': 'signerPosition',
  'signer.fullName': 'signerName',
  urgency: 'urgency',
  dueOn: 'dueOn',
  recipients: 'recipients',
  registerBook: 'registerBook',
};

const MESSAGES: Record<string, string> = {
  documentType: 'Hãy chọn loại văn bản.',
  number: 'Số văn bản: 1–7 chữ số, có thể thêm một chữ cái (ví dụ 15, 015, 74a); để trống để cấp số tự động.',
  notation: 'Hãy nhập ký hiệu, ví dụ CV-SNV (tối đa 100 ký tự).',
  issuedOn: 'Ngày ban hành không hợp lệ.',
  place: 'Hãy nhập địa danh, ví dụ Đắk Lắk.',
  subject: 'Hãy nhập trích yếu nội dung (tối đa 2000 ký tự).',
  signerAuthority: 'Thẩm quyền ký tối đa 20 ký tự.',
  signerPosition: 'Hãy nhập chức vụ người ký.',
  signerName: 'Hãy nhập họ tên người ký.',
  urgency: 'Độ khẩn không hợp lệ.',
  dueOn: 'Hạn xử lý không hợp lệ.',
  recipients: 'Hãy chọn ít nhất một nơi nhận.',
  registerBook: 'Hãy chọn một sổ văn bản đi của cơ quan.',
};

function str(v: unknown, max = 5000): string {
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
}

export function readSendForm(body: Record<string, unknown>): SendFormValues {
  const rec = body.recipients;
  const recipients = (Array.isArray(rec) ? rec : rec === undefined ? [] : [rec]).map((r) => str(r, 100)).filter(Boolean);
  return {
    documentType: str(body.documentType, 10),
    number: str(body.number, 30),
    notation: str(body.notation, 200),
    issuedOn: str(body.issuedOn, 20),
    place: str(body.place, 200),
    subject: str(body.subject, 3000),
    signerAuthority: str(body.signerAuthority, 30),
    signerPosition: str(body.signerPosition, 300),
    signerName: str(body.signerName, 300),
    urgency: str(body.urgency, 20) || 'normal',
    dueOn: str(body.dueOn, 20),
    recipients: [...new Set(recipients)].slice(0, 1000),
    source: body.source === 'compose' ? 'compose' : 'upload',
    bodyText: str(body.bodyText, 400_000),
    copies: str(body.copies, 300),
    formKey: /^[A-Za-z0-9_-]{16,64}$/.test(str(body.formKey, 64)) ? str(body.formKey, 64) : '',
    registerBook: str(body.registerBook, 64),
  };
}

/** The contract's metadata from the form, or the errors next to each field. */
export function toMetadata(v: SendFormValues, recipientsText: string[]): { metadata?: DocumentMetadata; errors: FieldErrors } {
  const r = DocumentMetadata.safeParse({
    documentType: v.documentType,
    ...(v.number ? { number: v.number } : {}),
    notation: v.notation,
    issuedOn: v.issuedOn,
    place: v.place,
    subject: v.subject,
    signer: { ...(v.signerAuthority ? { authority: v.signerAuthority } : {}), position: v.signerPosition, fullName: v.signerName },
    urgency: v.urgency,
    dueOn: v.dueOn || null,
    classification: 'normal',
    recipients: v.recipients,
    ...(recipientsText.length ? { recipientsText } : {}),
    ...(v.registerBook ? { registerBook: v.registerBook } : {}),
  });
  if (r.success) return { metadata: r.data, errors: {} };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const field = FIELD_OF[issue.path.join('.')] ?? FIELD_OF[String(issue.path[0])] ?? 'form';
    errors[field] ??= MESSAGES[field] ?? issue.message;
  }
  return { errors };
}

/** A domain refusal's details → the field to mark. */
export function fieldOfDomainError(code: string, details: unknown[] | undefined): string {
  if (code === 'DUPLICATE_DOCUMENT') return 'number';
  if (code === 'UNKNOWN_RECIPIENT' || code === 'NO_RECIPIENTS') return 'recipients';
  if (code === 'INVALID_FILE' || code === 'UNSUPPORTED_MEDIA_TYPE') return 'file';
  const path = String((details?.[0] as { path?: string } | undefined)?.path ?? '');
  const key = path.replace(/^metadata\./, '');
  return FIELD_OF[key] ?? (key === 'file' ? 'file' : 'form');
}
