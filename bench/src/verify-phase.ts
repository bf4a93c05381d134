import { X509Certificate } from 'node:crypto';
import { createDevCa, issueAgencyCertificate } from '../../services/pki/dev-ca';
import { closeAnalysisThread } from '../../services/signing/analyse-in-thread';
import { loadSigningIdentity, signPdf } from '../../services/signing/pades-signer';
import { verifyPdfSignatures } from '../../services/signing/pades-verifier';
import { analyseSignatures } from '../../services/signing/signature-analysis';
import { byteRangeBomb, manyObjectsPdf } from '../../test/support/hostile-signatures';
import { opsPerSec } from './microbench';

// Issue 15: the verification rate of a signed one-page PDF (in process and through the worker
// thread the gateway uses), of a large signed PDF, and what a hostile file costs to analyse.

export interface VerificationFigures {
  onePagePerSec: number;
  onePageInThreadPerSec: number;
  largeBytes: number;
  largeMs: number;
  bombBytes: number;
  bombMs: number;
  manyObjects: number;
  manyObjectsMs: number;
}

const timed = async (op: () => unknown): Promise<number> => {
  const t = performance.now();
  await op();
  return performance.now() - t;
};

export async function verificationFigures(onePage: Buffer, large: Buffer, opts: { microMs: number; quick: boolean }): Promise<VerificationFigures> {
  const ca = createDevCa({ commonName: 'Liên Thông bench verify CA' });
  const agency = issueAgencyCertificate(ca, { agencyCode: 'BENCH.VERIFY', agencyName: 'Cơ quan đo kiểm tra chữ ký' });
  const identity = loadSigningIdentity(agency.keyPem, agency.certPem, [ca.certPem]);
  const anchors = [new X509Certificate(ca.certPem).raw];
  const signedOne = await signPdf(onePage, identity, { signingTime: new Date() });
  const signedLarge = await signPdf(large, identity, { signingTime: new Date() });
  const verify = (pdf: Buffer, inThread: boolean) => verifyPdfSignatures(pdf, anchors, { softFail: true, inThread });
  try {
    const onePagePerSec = await opsPerSec(() => verify(signedOne, false), opts.microMs);
    const onePageInThreadPerSec = await opsPerSec(() => verify(signedOne, true), opts.microMs);
    const largeMs = await timed(() => verify(signedLarge, true));
    const bomb = byteRangeBomb(4 * 1024 * 1024);
    const bombMs = await timed(() => analyseSignatures(bomb, 60_000));
    const manyObjects = opts.quick ? 100_000 : 600_000;
    const many = manyObjectsPdf(manyObjects);
    const manyObjectsMs = await timed(() => analyseSignatures(many, 60_000));
    return { onePagePerSec, onePageInThreadPerSec, largeBytes: signedLarge.length, largeMs, bombBytes: bomb.length, bombMs, manyObjects, manyObjectsMs };
  } finally {
    await closeAnalysisThread();
  }
}
