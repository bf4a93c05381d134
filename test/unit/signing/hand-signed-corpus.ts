import { X509Certificate } from 'node:crypto';
import { createDevCa, issueAgencyCertificate, type KeyAndCert } from '../../../services/pki/dev-ca';
import { verifyPdfSignatures, type SignatureReport } from '../../../services/signing/pades-verifier';
import { buildPdf, simpleObjects, type Body } from '../../support/pdf-attack-builder';
import { handCms, signWith } from './corpus-builders';
import { AGENCY } from './signing-fixtures';

/** A certificate's DER bytes from its PEM. */
export const der = (pem: string): Buffer => new X509Certificate(pem).raw;

/**
 * What the attack corpora share: a root CA and an agency signer (made by `setUp`, in the suite's
 * `before`), a hand-made SHA-256 CMS signature over a file, the verifier trusting that root only
 * (revocation soft-fail), and the simple one-page file showing `original`, signed.
 */
export class HandSignedCorpus {
  ca!: KeyAndCert;
  signer!: KeyAndCert;

  constructor(private readonly caName: string, private readonly original: string) {}

  setUp(): void {
    this.ca = createDevCa({ commonName: this.caName });
    this.signer = issueAgencyCertificate(this.ca, AGENCY);
  }

  /** The CMS a signature of `signed` bytes carries. */
  cms = (signed: Buffer): Buffer => handCms(signed, this.signer, [this.ca.certPem], { digest: 'sha256' });

  sign = (pdf: Buffer): Promise<Buffer> => signWith(pdf, this.cms);

  verify = (pdf: Buffer): Promise<SignatureReport[]> => verifyPdfSignatures(pdf, [der(this.ca.certPem)], { softFail: true });

  /** The one-page file showing the corpus's original text (objects added or replaced by `extra`), signed. */
  signedSimple = (extra: Record<number, Body> = {}, trailer: { info?: number } = {}): Promise<Buffer> =>
    this.sign(buildPdf(simpleObjects(this.original, extra), { root: 1, ...trailer }));
}
