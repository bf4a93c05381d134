/**
 * edXML (QCVN 102:2016/BTTTT) message shapes as Liên Thông reads and writes them.
 * Dates are 'YYYY-MM-DD'; timestamps are ISO 8601 in Vietnam time ('YYYY-MM-DDTHH:mm:ss+07:00')
 * because edXML timestamps carry no zone and the exchange axis runs on Vietnam time.
 */
export const EDXML_NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

export interface EdxmlOrgan {
  organId: string;
  organName: string;
  organizationInCharge?: string;
  organAdd?: string;
  email?: string;
  telephone?: string;
  fax?: string;
  website?: string;
}

export interface EdxmlResponseFor {
  organId: string;
  /** The answered document's "số/ký hiệu" as one string, e.g. '7816/VPCP-TTĐT'. */
  code: string;
  promulgationDate: string | null;
  documentId: string | null;
}

export interface EdxmlStaffInfo {
  department?: string;
  staff?: string;
  email?: string;
  mobile?: string;
}

export interface EdxmlTraceHeader {
  organId: string;
  timestamp: string;
}

/** BussinessDocumentInfo of an update (type 2): which parts changed and for whom. */
export interface EdxmlBusinessDocumentInfo {
  documentInfo?: string;
  documentReceiver?: string;
  receivers: { organId: string; receiverType?: string }[];
}

/** ReplacementInfo of a replacement (type 3): the replaced document and its recipients. */
export interface EdxmlReplacementInfo {
  documentId: string;
  organIds: string[];
}

export type EdxmlBusinessDocType = 0 | 1 | 2 | 3;

export interface EdxmlBusiness {
  documentId?: string;
  /** 0 new, 1 revoke (thu hồi), 2 update (cập nhật), 3 replace (thay thế). */
  businessDocType: EdxmlBusinessDocType;
  businessDocReason?: string;
  /** 1 when a paper copy is sent as well. */
  paper: 0 | 1;
  staffInfo?: EdxmlStaffInfo;
  documentInfo?: EdxmlBusinessDocumentInfo;
  replacementInfo?: EdxmlReplacementInfo[];
}

export interface EdxmlAttachment {
  contentId?: string;
  name: string;
  description?: string;
  contentType: string;
  bytes: Buffer;
  /** Set when the file was unpacked from an application/zip attachment of that name. */
  fromArchive?: string;
}

export interface EdxmlOtherInfo {
  /** 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ. */
  priority: 0 | 1 | 2 | 3 | 4;
  sphereOfPromulgation?: string;
  typerNotation?: string;
  promulgationAmount?: number;
  pageAmount?: number;
  direction?: boolean;
  appendixes?: string[];
}

export interface EdxmlDocument {
  from: EdxmlOrgan;
  to: EdxmlOrgan[];
  documentId: string | null;
  code: { number: string; notation: string };
  promulgation: { place: string; date: string };
  documentType: { type?: string; typeDetail?: string; typeName?: string };
  subject: string;
  content?: string;
  signer: { competence?: string; position?: string; fullName?: string };
  dueDate?: string;
  otherInfo: EdxmlOtherInfo;
  responseFor: EdxmlResponseFor[];
  /** Kept raw: sources disagree whether the codes run 0–2 or 1–3 (see edxml-mapping.ts). */
  steeringType?: string;
  toPlaces: string[];
  business: EdxmlBusiness;
  traceHeaders: EdxmlTraceHeader[];
  attachments: EdxmlAttachment[];
}

export const EDXML_STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;
export type EdxmlStatusCodeValue = (typeof EDXML_STATUS_CODES)[number];

export interface EdxmlStatus {
  from: EdxmlOrgan;
  responseFor: EdxmlResponseFor;
  staffInfo?: EdxmlStaffInfo;
  statusCode: EdxmlStatusCodeValue;
  description?: string;
  timestamp: string;
}

export type EdxmlMessage = { kind: 'document'; document: EdxmlDocument } | { kind: 'status'; status: EdxmlStatus };

export interface EdxmlLimits {
  maxInputBytes: number;
  maxDepth: number;
  maxElements: number;
  /** Applies to the Attachment elements and again to the file list after unzipping. */
  maxAttachments: number;
  maxZipEntries: number;
  maxZipTotalBytes: number;
  /** Uncompressed/compressed, checked for members above ZIP_RATIO_FLOOR bytes. */
  maxZipRatio: number;
}

export const DEFAULT_EDXML_LIMITS: EdxmlLimits = {
  maxInputBytes: 60 * 1024 * 1024,
  maxDepth: 64,
  maxElements: 100_000,
  maxAttachments: 100,
  maxZipEntries: 500,
  maxZipTotalBytes: 200 * 1024 * 1024,
  maxZipRatio: 100,
};

export type EdxmlErrorCode =
  | 'EDXML_MALFORMED'
  | 'EDXML_FORBIDDEN_DTD'
  | 'EDXML_MISSING_ELEMENT'
  | 'EDXML_INVALID_VALUE'
  | 'EDXML_TOO_LARGE'
  | 'EDXML_ZIP_BOMB';

const VIETNAMESE: Record<EdxmlErrorCode, string> = {
  EDXML_MALFORMED: 'XML không hợp lệ',
  EDXML_FORBIDDEN_DTD: 'không chấp nhận DTD/ENTITY',
  EDXML_MISSING_ELEMENT: 'thiếu thành phần bắt buộc',
  EDXML_INVALID_VALUE: 'giá trị không hợp lệ',
  EDXML_TOO_LARGE: 'vượt quá giới hạn',
  EDXML_ZIP_BOMB: 'tệp nén bất thường',
};

/** `message` names the element and the problem; `detail` is the problem alone, for callers that print the element themselves. */
export class EdxmlError extends Error {
  override readonly name = 'EdxmlError';
  readonly detail: string;
  constructor(
    readonly code: EdxmlErrorCode,
    problem: string,
    readonly element?: string,
  ) {
    const detail = `${problem} (${VIETNAMESE[code]})`;
    super(`${element ? `${element}: ` : ''}${detail}`);
    this.detail = detail;
  }
}
