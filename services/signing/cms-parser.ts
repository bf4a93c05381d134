import { children, decodeAt, decodeOid, DerError, DerNode, expectChildren, octetsOf, Tag, toDefinite } from '../asn1/der';
import { OID } from '../asn1/oids';

/** The parts of a CMS SignedData (RFC 5652) a PAdES verifier needs, as raw slices. */
export interface ParsedSignedData {
  encapContentType: string;
  /** eContent when the content is encapsulated (a timestamp token's TSTInfo); null when detached. */
  encapContent: Buffer | null;
  /** DER of every certificate in the certificates field (other choices are skipped). */
  certificates: Buffer[];
  signer: ParsedSignerInfo;
  /** 'BER' when indefinite lengths are used anywhere (older producers), else 'DER'. */
  encoding: 'BER' | 'DER';
}

export interface ParsedSignerInfo {
  sid: { issuer: Buffer; serial: Buffer } | { subjectKeyIdentifier: Buffer };
  digestAlgorithm: string;
  /** The signed attributes re-tagged as SET OF, i.e. the bytes the signature covers; null if absent. */
  signedAttributes: Buffer | null;
  /** Attribute type → its values. */
  attributes: Map<string, DerNode[]>;
  signatureAlgorithm: string;
  /** The AlgorithmIdentifier parameters of the signature algorithm (RSASSA-PSS-params), when present. */
  signatureAlgorithmParams: DerNode | null;
  signature: Buffer;
  unsignedAttributeTypes: string[];
  /** Attribute type → its values, for the unsigned attributes (a signature timestamp lives here). */
  unsignedAttributes: Map<string, DerNode[]>;
}

function attributeMap(set: DerNode): Map<string, DerNode[]> {
  const map = new Map<string, DerNode[]>();
  for (const attr of children(set)) {
    const [type, values] = expectChildren(attr, Tag.SEQUENCE, 'Attribute');
    map.set(decodeOid(type), expectChildren(values, Tag.SET, 'AttributeValues'));
  }
  return map;
}

function parseSignerInfo(node: DerNode | undefined): ParsedSignerInfo {
  const parts = expectChildren(node, Tag.SEQUENCE, 'SignerInfo');
  let i = 1; // skip version
  const sidNode = parts[i++];
  let sid: ParsedSignerInfo['sid'];
  if (sidNode?.tag === Tag.SEQUENCE) {
    const [issuer, serial] = children(sidNode);
    if (!issuer || !serial) throw new DerError('IssuerAndSerialNumber is incomplete');
    sid = { issuer: toDefinite(issuer), serial: serial.raw };
  } else if (sidNode?.tag === 0x80) {
    sid = { subjectKeyIdentifier: sidNode.content };
  } else {
    throw new DerError('SignerInfo has no usable signer identifier');
  }
  const [digestAlgOid] = expectChildren(parts[i++], Tag.SEQUENCE, 'digestAlgorithm');
  let signedAttributes: Buffer | null = null;
  let attributes = new Map<string, DerNode[]>();
  if (parts[i]?.tag === 0xa0) {
    const implicit = parts[i++] as DerNode;
    // RFC 5652 §5.4: the signature covers the DER encoding of the attributes as a SET OF
    signedAttributes = Buffer.from(toDefinite(implicit));
    signedAttributes[0] = Tag.SET;
    attributes = attributeMap(decodeAt(signedAttributes));
  }
  const [sigAlgOid, sigAlgParams] = expectChildren(parts[i++], Tag.SEQUENCE, 'signatureAlgorithm');
  const signature = parts[i++];
  if (!signature || (signature.tag & 0xdf) !== Tag.OCTET_STRING) throw new DerError('SignerInfo has no signature value');
  const unsigned = parts[i]?.tag === 0xa1 ? attributeMap(parts[i] as DerNode) : new Map<string, DerNode[]>();
  return {
    sid,
    digestAlgorithm: decodeOid(digestAlgOid),
    signedAttributes,
    attributes,
    signatureAlgorithm: decodeOid(sigAlgOid),
    signatureAlgorithmParams: sigAlgParams && sigAlgParams.tag !== Tag.NULL ? sigAlgParams : null,
    signature: octetsOf(signature),
    unsignedAttributeTypes: [...unsigned.keys()],
    unsignedAttributes: unsigned,
  };
}

/** Parses ContentInfo { signedData } and its first SignerInfo (PAdES allows exactly one). */
export function parseSignedData(der: Buffer): ParsedSignedData {
  const [type, wrapped] = expectChildren(decodeAt(der), Tag.SEQUENCE, 'ContentInfo');
  if (decodeOid(type) !== OID.signedData) throw new DerError('the CMS is not SignedData');
  const [signedData] = expectChildren(wrapped, 0xa0, 'ContentInfo.content');
  const parts = expectChildren(signedData, Tag.SEQUENCE, 'SignedData');
  const [encapType, explicit] = expectChildren(parts[2], Tag.SEQUENCE, 'encapContentInfo');
  const [eContent] = explicit ? expectChildren(explicit, 0xa0, 'eContent') : [];
  if (eContent && (eContent.tag & 0xdf) !== Tag.OCTET_STRING) throw new DerError('eContent is not an OCTET STRING');
  const certificates: Buffer[] = [];
  let signerInfos: DerNode | undefined;
  for (const part of parts.slice(3)) {
    if (part.tag === 0xa0) certificates.push(...children(part).filter((c) => c.tag === Tag.SEQUENCE).map(toDefinite));
    else if (part.tag === Tag.SET) signerInfos = part;
  }
  const [first] = expectChildren(signerInfos, Tag.SET, 'signerInfos');
  return {
    encapContentType: decodeOid(encapType), encapContent: eContent ? octetsOf(eContent) : null, certificates, signer: parseSignerInfo(first),
    encoding: isBer(der) ? 'BER' : 'DER',
  };
}

/** Whether any value of the CMS uses the BER-only indefinite-length form. */
function isBer(der: Buffer): boolean {
  const walk = (node: DerNode, depth: number): boolean =>
    !!node.indefinite || (depth < 12 && (node.tag & 0x20) !== 0 && children(node).some((c) => walk(c, depth + 1)));
  return walk(decodeAt(der), 0);
}
