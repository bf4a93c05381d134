import { EdxmlError, type EdxmlAttachment, type EdxmlLimits } from './edxml-types';
import { compact } from './edxml-values';
import { unpackZip } from './edxml-zip';
import { displayPath, invalid, kid, kids, str, type XNode } from './xml-tree';

const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed', 'application/x-zip'];

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  odt: 'application/vnd.oasis.opendocument.text',
  txt: 'text/plain',
  xml: 'application/xml',
  edxml: 'application/xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  zip: 'application/zip',
};

/** Content type of an unpacked member: the bytes first (PDFs are what matter), then the name. */
export function guessContentType(name: string, bytes: Buffer): string {
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) || 'application/octet-stream';
}

const stripCid = (id: string | undefined) => id?.replace(/^cid:/i, '');

/**
 * AttachmentEncoded/Attachment* (a sibling of the envelope in the samples; also looked for inside
 * it). Name, type and description fall back to the manifest Reference with the same ContentId,
 * because some senders fill only one of the two.
 */
export function readAttachments(root: XNode, envelope: XNode, limits: EdxmlLimits): EdxmlAttachment[] {
  // A bare <edXMLEnvelope> is its own root: its attachments are read once.
  const holders = root === envelope ? [root] : [root, envelope];
  const nodes = holders.flatMap((h) => kids(h, 'AttachmentEncoded')).flatMap((a) => kids(a, 'Attachment'));
  if (nodes.length > limits.maxAttachments) {
    throw new EdxmlError('EDXML_TOO_LARGE', `${nodes.length} attachments, the limit is ${limits.maxAttachments}`, 'AttachmentEncoded');
  }
  const manifest = kids(kid(kid(envelope, 'edXMLBody'), 'edXMLManifest'), 'Reference');
  const result: EdxmlAttachment[] = [];
  let unpacked = 0;
  nodes.forEach((node, i) => {
    const contentId = str(node, 'ContentId');
    const ref = manifest.find((r) => contentId !== undefined && stripCid(str(r, 'ContentId')) === stripCid(contentId)) ?? (manifest.length === nodes.length ? manifest[i] : undefined);
    const name = str(node, 'AttachmentName') ?? str(ref, 'AttachmentName') ?? contentId ?? `attachment-${i + 1}`;
    const encoded = kid(node, 'ContentTransferEncoded');
    if (!encoded) throw new EdxmlError('EDXML_MISSING_ELEMENT', 'attachment has no content', displayPath(`${node.path}/ContentTransferEncoded`));
    const bytes = decodeBase64(encoded);
    const description = str(node, 'Description') ?? str(ref, 'Description');
    const declaredType = (str(node, 'ContentType') ?? str(ref, 'ContentType'))?.toLowerCase();
    if (declaredType && ZIP_TYPES.includes(declaredType)) {
      for (const m of unpackZip(bytes, displayPath(encoded.path), limits, unpacked)) {
        unpacked += m.bytes.length;
        result.push(compact({ contentId, name: m.name, description, contentType: guessContentType(m.name, m.bytes), bytes: m.bytes, fromArchive: name }));
      }
    } else {
      result.push(compact({ contentId, name, description, contentType: declaredType ?? guessContentType(name, bytes), bytes }));
    }
    if (result.length > limits.maxAttachments) {
      throw new EdxmlError('EDXML_TOO_LARGE', `more than ${limits.maxAttachments} files after unzipping`, 'AttachmentEncoded');
    }
  });
  return result;
}

/** Strict base64: Buffer.from silently skips garbage, which would turn a broken file into a wrong one. */
function decodeBase64(node: XNode): Buffer {
  const s = node.text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw invalid(node, 'content is not base64');
  return Buffer.from(s, 'base64');
}
