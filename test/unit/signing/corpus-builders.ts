import { createHash, createPrivateKey, constants, KeyObject, sign, X509Certificate } from 'node:crypto';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { readCertificateFields } from '../../../services/asn1/cert-fields';
import { children, contextTag, decodeAt, DerNode, derNull, octetString, oid, sequence, setOf, Tag, tlv, unsignedInteger } from '../../../services/asn1/der';
import { OID, OID_BY_DIGEST, type DigestName } from '../../../services/asn1/oids';
import { parseSignedData } from '../../../services/signing/cms-parser';
import { addSignaturePlaceholder } from '../../../services/signing/pdf-placeholder';
import { createTimestampIssuer } from '../../../services/tsa/timestamp-issuer';
import { decodeTimestampResponse, encodeTimestampRequest } from '../../../services/signing/tsa-messages';
import type { KeyAndCert } from '../../../services/pki/dev-ca';
import { pemBlocks } from '../../../services/pki/x509-builder';

// Builders for the verification corpus: CMS made by hand (SHA-1, RSA-PSS, adbe.pkcs7.sha1, BER
// with indefinite lengths), signatures placed with the project's placeholder, document
// timestamps, and incremental updates written byte by byte on top of signed files. The objects
// to change are located with pdf-lib (an independent reader), never with the code under test.

const CAPACITY = 16 * 1024;

export interface HandCmsOptions {
  digest: DigestName;
  pss?: boolean;
  /** adbe.pkcs7.sha1: the CMS encapsulates SHA-1(byte ranges) and signs that. */
  encapsulateSha1?: boolean;
  unsignedAttributes?: Buffer[];
}

const der = (pem: string): Buffer => pemBlocks(pem, 'CERTIFICATE')[0]!;

function attribute(type: string, value: Buffer): Buffer {
  return sequence(oid(type), setOf([value]));
}

function algorithmId(digest: DigestName): Buffer {
  return sequence(oid(OID_BY_DIGEST[digest]), derNull());
}

/** A CMS SignedData over `content` (the signed byte ranges), as older or other producers write it. */
export function handCms(content: Buffer, signer: KeyAndCert, chainPem: string[], opts: HandCmsOptions): Buffer {
  const key: KeyObject = createPrivateKey(signer.keyPem);
  const cert = der(signer.certPem);
  const eContent = opts.encapsulateSha1 ? createHash('sha1').update(content).digest() : null;
  const digested = eContent ?? content;
  const signedAttributes = setOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octetString(createHash(opts.digest).update(digested).digest())),
  ]);
  const signature = opts.pss
    ? sign(opts.digest, signedAttributes, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
    : sign(opts.digest, signedAttributes, key);
  const pssParams = sequence(contextTag(0, algorithmId(opts.digest)), contextTag(1, sequence(oid(OID.mgf1), algorithmId(opts.digest))), contextTag(2, unsignedInteger(32)));
  const sigAlg = opts.pss ? sequence(oid(OID.rsassaPss), pssParams) : sequence(oid(key.asymmetricKeyType === 'ec' ? OID.ecPublicKey : OID.rsaEncryption), ...(key.asymmetricKeyType === 'ec' ? [] : [derNull()]));
  const implicit = Buffer.from(signedAttributes);
  implicit[0] = 0xa0;
  const { issuer, serial } = readCertificateFields(cert);
  const signerInfo = sequence(
    unsignedInteger(1), sequence(issuer, serial), algorithmId(opts.digest), implicit, sigAlg, octetString(signature),
    ...(opts.unsignedAttributes?.length ? [contextTag(1, ...opts.unsignedAttributes)] : []),
  );
  const signedData = sequence(
    unsignedInteger(1), setOf([algorithmId(opts.digest)]),
    eContent ? sequence(oid(OID.data), contextTag(0, octetString(eContent))) : sequence(oid(OID.data)),
    contextTag(0, cert, ...chainPem.map(der)), setOf([signerInfo]),
  );
  return sequence(oid(OID.signedData), contextTag(0, signedData));
}

/**
 * The same value in BER: every constructed value gets an indefinite length. With `keepDer`, the
 * certificates, the signer identifier and the signed attributes stay DER (copied as found), as the BER producers in the field write them
 * (the signature covers the attributes' DER form, which some verifiers hash as found).
 */
export function toBer(input: Buffer, opts: { keepDer?: boolean } = {}): Buffer {
  const keep = new Set<string>();
  if (opts.keepDer) {
    const parsed = parseSignedData(input);
    for (const c of parsed.certificates) keep.add(c.toString('hex'));
    const sid = parsed.signer.sid;
    if ('issuer' in sid) keep.add(sequence(sid.issuer, sid.serial).toString('hex'));
    if (parsed.signer.signedAttributes) {
      const implicit = Buffer.from(parsed.signer.signedAttributes);
      implicit[0] = 0xa0;
      keep.add(implicit.toString('hex'));
    }
  }
  const walk = (node: DerNode): Buffer => {
    if (!(node.tag & 0x20) || keep.has(node.raw.toString('hex'))) return node.raw;
    return Buffer.concat([Buffer.from([node.tag, 0x80]), ...children(node).map(walk), Buffer.from([0, 0])]);
  };
  return walk(decodeAt(input));
}

/** Puts a CMS made by `makeCms(signedBytes)` into a new signature field of `pdf`. */
export async function signWith(pdf: Buffer, makeCms: (signed: Buffer) => Buffer, opts: { signingTime?: Date; subFilter?: string; docTimestamp?: boolean } = {}): Promise<Buffer> {
  const prepared = await addSignaturePlaceholder(pdf, { signingTime: opts.signingTime ?? new Date() }, CAPACITY);
  const bytes = Buffer.from(prepared.bytes);
  const head = '/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n';
  const at = bytes.indexOf(head, pdf.length, 'latin1'); // inside the update just appended
  if (at < 0) throw new Error('signature dictionary head not found');
  const replacement = opts.docTimestamp
    ? '/Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161'
    : `/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /${opts.subFilter ?? 'ETSI.CAdES.detached'}`;
  if (replacement.length > head.length) throw new Error('replacement too long');
  bytes.write(replacement.padEnd(head.length, ' '), at, 'latin1');
  const [a, b, c, d] = prepared.byteRange;
  const signed = Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]);
  const cms = makeCms(signed);
  if (cms.length > CAPACITY) throw new Error('CMS too large');
  bytes.write(cms.toString('hex'), prepared.contentsOffset, 'latin1');
  return bytes;
}

/** A TSA that stamps at a chosen time; returns tokens over a digest. */
export function tsaAt(tsa: KeyAndCert, at: () => Date): { token(data: Buffer): Buffer } {
  const issuer = createTimestampIssuer({ keyPem: tsa.keyPem, certPem: tsa.certPem, now: at });
  return {
    token(data) {
      const req = encodeTimestampRequest(createHash('sha256').update(data).digest(), 'sha256', Buffer.from('0102030405060708', 'hex'));
      const res = decodeTimestampResponse(issuer.respond(req));
      if (!res.token) throw new Error(`TSA refused: ${res.statusText}`);
      return res.token;
    },
  };
}

/** The signature-timestamp attribute over a signature value (for handCms' unsignedAttributes). */
export function timestampAttr(token: Buffer): Buffer {
  return attribute(OID.timeStampToken, token);
}

// ------------------------------------------------------------------ incremental updates

export interface PdfFacts {
  doc: PDFDocument;
  rootRef: PDFRef;
  size: number;
  startxref: number;
  pageRefs: PDFRef[];
  infoRef: PDFRef | undefined;
}

export async function factsOf(pdf: Buffer): Promise<PdfFacts> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(pdf.toString('latin1', pdf.length - 64));
  if (!m) throw new Error('no startxref');
  const info = doc.context.trailerInfo.Info;
  return {
    doc, rootRef: doc.context.trailerInfo.Root as PDFRef, size: doc.context.largestObjectNumber + 1, startxref: Number(m[1]),
    pageRefs: doc.getPages().map((p) => p.ref), infoRef: info instanceof PDFRef ? info : undefined,
  };
}

/** Appends objects (number → serialized body, "<<…>>" or "<<…>>\nstream…endstream") as a classic incremental update. */
export function appendUpdate(pdf: Buffer, facts: PdfFacts, objects: Map<number, string>): Buffer {
  const parts: Buffer[] = [pdf, Buffer.from('\n')];
  let offset = pdf.length + 1;
  const offsets = new Map<number, number>();
  for (const [n, body] of [...objects].sort((x, y) => x[0] - y[0])) {
    const text = Buffer.from(`${n} 0 obj\n${body}\nendobj\n`, 'latin1');
    offsets.set(n, offset);
    parts.push(text);
    offset += text.length;
  }
  let xref = 'xref\n';
  for (const [n, off] of [...offsets].sort((x, y) => x[0] - y[0])) xref += `${n} 1\n${String(off).padStart(10, '0')} 00000 n\r\n`;
  const size = Math.max(facts.size, ...[...objects.keys()].map((n) => n + 1));
  xref += `trailer\n<< /Size ${size} /Root ${facts.rootRef.objectNumber} 0 R${facts.infoRef ? ` /Info ${facts.infoRef.objectNumber} 0 R` : ''} /Prev ${facts.startxref} >>\nstartxref\n${offset}\n%%EOF\n`;
  parts.push(Buffer.from(xref, 'latin1'));
  return Buffer.concat(parts);
}

export function streamBody(dict: string, data: string): string {
  return `<< ${dict} /Length ${Buffer.byteLength(data, 'latin1')} >>\nstream\n${data}\nendstream`;
}

/** The page's dictionary with `changes` applied, serialized by pdf-lib. */
export function pageWith(facts: PdfFacts, index: number, changes: (page: PDFDict) => void): string {
  const page = (facts.doc.context.lookup(facts.pageRefs[index]!) as PDFDict).clone(facts.doc.context);
  changes(page);
  return page.toString();
}

export { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, PDFString, X509Certificate, Tag, tlv };
