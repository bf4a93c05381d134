import { createHash, createPrivateKey, KeyObject, randomBytes, X509Certificate } from 'node:crypto';
import { pemBlocks } from '../pki/x509-builder';
import { readCertificateFields } from '../asn1/cert-fields';
import { encodeSignedData, signAttributes } from '../signing/cms-builder';
import { contextTag, generalizedTime, oid, sequence, tlv, unsignedInteger } from '../asn1/der';
import { OID } from '../asn1/oids';
import { encodeGrantedResponse, encodeRejection, FailureInfo, TimestampRequest, decodeTimestampRequest } from '../signing/tsa-messages';

// The development TSA's core: TimeStampReq bytes in, TimeStampResp bytes out, no I/O. A
// production deployment points LIENTHONG_TSA_URL at a qualified TSA instead.

/**
 * 2.999 is the ITU-T "example" arc: fine for a development TSA, meaningless to anyone else,
 * which is the point — no relying party should mistake these tokens for a real TSA's.
 */
export const DEV_TSA_POLICY = '2.999.84.1';

export interface TsaIdentity {
  keyPem: string;
  /** The TSA certificate, optionally followed by its issuers. */
  certPem: string;
  policy?: string;
  /** Clock, for tests. */
  now?: () => Date;
}

export interface TimestampIssuer {
  /** Answers one DER TimeStampReq with a DER TimeStampResp; never throws for a bad request. */
  respond(requestDer: Buffer): Buffer;
}

export function createTimestampIssuer(identity: TsaIdentity): TimestampIssuer {
  const key: KeyObject = createPrivateKey(identity.keyPem);
  const [certificate, ...chain] = pemBlocks(identity.certPem, 'CERTIFICATE');
  if (!certificate) throw new Error('the TSA needs its certificate (PEM)');
  const x509 = new X509Certificate(certificate);
  if (!x509.checkPrivateKey(key)) throw new Error('the TSA key does not belong to the TSA certificate');
  if (!(x509.keyUsage ?? []).includes(OID.kpTimeStamping)) throw new Error('the TSA certificate lacks the timeStamping extended key usage');
  const tsaName = readCertificateFields(certificate).subject;
  const policy = identity.policy ?? DEV_TSA_POLICY;
  const now = identity.now ?? (() => new Date());

  function token(req: TimestampRequest): Buffer {
    const tstInfo = sequence(
      unsignedInteger(1),
      oid(policy),
      req.imprintRaw,
      unsignedInteger(randomBytes(16)),
      generalizedTime(now()),
      sequence(unsignedInteger(1)), // accuracy: one second
      ...(req.nonceRaw ? [req.nonceRaw] : []),
      contextTag(0, tlv(0xa4, tsaName)), // tsa: [0] GeneralName directoryName
    );
    const digest = createHash('sha256').update(tstInfo).digest();
    const parts = signAttributes(digest, certificate!, key, OID.tstInfo);
    return encodeSignedData({
      ...parts, certificate: certificate!, chain, privateKey: key,
      encapsulated: { type: OID.tstInfo, content: tstInfo }, omitCertificates: !req.certReq,
    });
  }

  return {
    respond(requestDer) {
      let req: TimestampRequest;
      try {
        req = decodeTimestampRequest(requestDer);
      } catch (err) {
        return encodeRejection(FailureInfo.badDataFormat, `malformed TimeStampReq: ${(err as Error).message}`);
      }
      if (!req.hashAlgorithm || req.hashAlgorithm === 'sha1') return encodeRejection(FailureInfo.badAlg, `unsupported hash algorithm ${req.hashAlgorithmOid}`);
      if (req.digest.length !== createHash(req.hashAlgorithm).digest().length) return encodeRejection(FailureInfo.badDataFormat, 'the digest length does not match its algorithm');
      if (req.policy && req.policy !== policy) return encodeRejection(FailureInfo.unacceptedPolicy, `this TSA only issues under policy ${policy}`);
      if (req.hasExtensions) return encodeRejection(FailureInfo.unacceptedExtension, 'request extensions are not supported');
      try {
        return encodeGrantedResponse(token(req));
      } catch (err) {
        return encodeRejection(FailureInfo.systemFailure, `the TSA failed: ${(err as Error).message}`);
      }
    },
  };
}
