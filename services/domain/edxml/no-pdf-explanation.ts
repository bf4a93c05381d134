import { ErrorCode } from '../../../contracts';
import { DEFAULT_EDXML_LIMITS, type EdxmlAttachment } from '../../edxml';
import { unpackZip } from '../../edxml/edxml-zip';
import { magicTypeOf } from '../../convert/sniff';
import { DomainError } from '../errors/domain-error';
import { safeFileName } from '../files/safe-file-name';

/** Some SDKs zip a whole edXML envelope and attach that archive where the document's PDF belongs. */
interface NestedEnvelope {
  name: string;
  archive?: string;
}

/**
 * The 422 for an envelope without a PDF, saying what was attached instead — in particular an
 * edXML envelope (bare, or inside a zip, declared as one or not) where the document's PDF belongs.
 * Names are shown through the same sanitiser as every file name.
 */
export function noPdfError(attachments: EdxmlAttachment[]): DomainError {
  const nested = findNestedEnvelope(attachments);
  const shown = (name: string) => `"${safeFileName(name, 'tệp')}"`;
  if (nested) {
    const where = nested.archive ? ` trong tệp nén ${shown(nested.archive)}` : '';
    return new DomainError(
      ErrorCode.INVALID_FILE,
      `Tệp đính kèm ${shown(nested.name)}${where} là một gói edXML (QCVN 102:2016) khác, không phải văn bản PDF. ` +
        'Gói edXML phải mang văn bản dưới dạng tệp PDF: hãy gửi chính gói edXML bên trong đến /v1/edxml, hoặc đính kèm tệp PDF của văn bản.',
      [{ element: 'AttachmentEncoded', reason: 'nested-edxml', attachment: safeFileName(nested.name, 'tệp'), archive: nested.archive ? safeFileName(nested.archive, 'tệp') : null }],
    );
  }
  const listed = attachments.slice(0, 10).map((a) => `${shown(a.name)} (${a.contentType})`).join(', ');
  return new DomainError(
    ErrorCode.INVALID_FILE,
    `Gói edXML không có tệp PDF nào trong AttachmentEncoded${listed ? `; các tệp đính kèm là: ${listed}` : ''}.`,
    [{ element: 'AttachmentEncoded', reason: 'no-pdf' }],
  );
}

function findNestedEnvelope(attachments: EdxmlAttachment[]): NestedEnvelope | undefined {
  for (const a of attachments) {
    if (looksLikeEdxml(a.bytes)) return { name: a.name, ...(a.fromArchive ? { archive: a.fromArchive } : {}) };
    if (magicTypeOf(a.bytes) === 'zip') {
      // A zip the sender did not declare as one: looked into, within the usual limits, only to explain.
      let members: { name: string; bytes: Buffer }[] = [];
      try {
        members = unpackZip(a.bytes, 'AttachmentEncoded', DEFAULT_EDXML_LIMITS);
      } catch {
        members = [];
      }
      const inner = members.find((m) => looksLikeEdxml(m.bytes));
      if (inner) return { name: inner.name, archive: a.name };
    }
  }
  return undefined;
}

function looksLikeEdxml(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<') && (/<([A-Za-z_][\w.-]*:)?edXML[\s>]/.test(head) || head.includes('http://www.mic.gov.vn/TBT/QCVN_102_2016'));
}
