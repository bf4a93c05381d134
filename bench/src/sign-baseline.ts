import * as crypto from 'node:crypto';
import forge from 'node-forge';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import signpdf from '@signpdf/signpdf';
import { createDevCa, issueAgencyCertificate } from '../../services/pki/dev-ca';
import { loadSigningIdentity, signPdf } from '../../services/signing/pades-signer';

/**
 * Our signer and the @signpdf baseline with the same dev-CA RSA certificate, on the same bytes.
 * Both sides do the whole job per document: add the signature placeholder, then sign.
 */
export function signers(pdf: Buffer) {
  const ca = createDevCa({ commonName: 'Liên Thông bench CA' });
  const agency = issueAgencyCertificate(ca, { agencyCode: 'BENCH.SIGN', agencyName: 'Cơ quan đo hiệu năng' });
  const identity = loadSigningIdentity(agency.keyPem, agency.certPem, [ca.certPem]);
  const p12 = toP12(agency.keyPem, [agency.certPem, ca.certPem], 'bench');
  const options = { reason: '15/CT-UBND', location: 'Đắk Lắk', signerName: 'TM. CHỦ TỊCH Lữ Ngọc Cư' };
  const digest = crypto.createHash('sha256').update(pdf).digest();
  return {
    /** The floor under any signer with this key: one native RSA-2048 signature, nothing else. */
    rsaOnly: () => crypto.sign('sha256', digest, identity.privateKey),
    ours: () => signPdf(pdf, identity, { signingTime: new Date(), ...options }),
    baseline: async () => {
      const prepared = plainAddPlaceholder({ pdfBuffer: pdf, reason: options.reason, contactInfo: '', name: options.signerName, location: options.location });
      // A P12Signer consumes its forge buffer on sign(): one per document, as the library requires.
      return signpdf.sign(prepared, new P12Signer(p12, { passphrase: 'bench' }));
    },
  };
}

/** A PKCS#12 as agencies receive it from a CA, built with node-forge (3DES, as openssl's default was). */
function toP12(keyPem: string, certPems: string[], passphrase: string): Buffer {
  const key = forge.pki.privateKeyFromPem(keyPem);
  const certs = certPems.map((p) => forge.pki.certificateFromPem(p));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, certs, passphrase, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
