import { createHash, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../services/config/project-root';
import { createDevCa, issueAgencyCertificate } from '../../services/pki/dev-ca';
import { closeAnalysisThread } from '../../services/signing/analyse-in-thread';
import { parseSignedData } from '../../services/signing/cms-parser';
import { loadSigningIdentity, signPdf } from '../../services/signing/pades-signer';
import { findSignatures, verifyPdfSignatures } from '../../services/signing/pades-verifier';
import { analyseSignatures } from '../../services/signing/signature-analysis';
import { byteRangeBomb, manyObjectsPdf } from '../../test/support/hostile-signatures';
import { opsPerSec } from './microbench';
import { bigPdf, classicOnePagePdf } from './payloads';
import { planFromEnv } from './plan';
import { printReport, writeJson, type Target } from './report';
import { round } from './stats';

// Issue 15: the verification rate of a signed one-page PDF (in process and through the worker
// thread the gateway uses) and of a large signed PDF, and what hostile files cost to analyse —
// each against a baseline measured in the same run: the least any verifier must do (hash the
// signed bytes and check one RSA signature; one pass of indexOf over the file for the hostile ones).

export interface VerificationFigures {
  onePagePerSec: number;
  onePageInThreadPerSec: number;
  /** Baseline: SHA-256 of the signed byte ranges + one RSA verification of the signer's value, per second. */
  onePageBarePerSec: number;
  largeBytes: number;
  largeMs: number;
  /** Baseline: SHA-256 of the large file. */
  largeHashMs: number;
  bombBytes: number;
  bombMs: number;
  bigBombBytes: number;
  bigBombMs: number;
  manyObjects: number;
  manyObjectsMs: number;
  /** Baselines: one indexOf pass over each hostile file (counting '/ByteRange' or ' obj'). */
  bombScanMs: number;
  bigBombScanMs: number;
  manyObjectsScanMs: number;
}

const timed = async (op: () => unknown): Promise<number> => {
  const t = performance.now();
  await op();
  return performance.now() - t;
};

const countAll = (pdf: Buffer, needle: string): number => {
  let n = 0;
  for (let at = pdf.indexOf(needle); at >= 0; at = pdf.indexOf(needle, at + needle.length)) n++;
  return n;
};

/** The bare cryptographic cost of one signature: the covered bytes hashed, the signature value checked. */
function bareVerifier(signed: Buffer): () => boolean {
  const [sig] = findSignatures(signed);
  if (!sig) throw new Error('the bench PDF has no signature');
  const [a, b, c, d] = sig.byteRange!;
  const cms = parseSignedData(sig.contents);
  const cert = new X509Certificate(cms.certificates[0]!);
  const key = createPublicKey(cert.publicKey.export({ type: 'spki', format: 'pem' }));
  const attrs = Buffer.from(cms.signer.signedAttributes!);
  attrs[0] = 0x31; // signed over as a SET
  return () => {
    createHash('sha256').update(signed.subarray(a, a + b)).update(signed.subarray(c, c + d)).digest();
    return cryptoVerify('sha256', attrs, key, cms.signer.signature);
  };
}

export async function verificationFigures(onePage: Buffer, large: Buffer, opts: { microMs: number; quick: boolean }): Promise<VerificationFigures> {
  const ca = createDevCa({ commonName: 'Liên Thông bench verify CA' });
  const agency = issueAgencyCertificate(ca, { agencyCode: 'BENCH.VERIFY', agencyName: 'Cơ quan đo kiểm tra chữ ký' });
  const identity = loadSigningIdentity(agency.keyPem, agency.certPem, [ca.certPem]);
  const anchors = [new X509Certificate(ca.certPem).raw];
  const signedOne = await signPdf(onePage, identity, { signingTime: new Date() });
  const signedLarge = await signPdf(large, identity, { signingTime: new Date() });
  const verify = (pdf: Buffer, inThread: boolean) => verifyPdfSignatures(pdf, anchors, { softFail: true, inThread });
  try {
    const bare = bareVerifier(signedOne);
    if (!bare()) throw new Error('the bare verification of the bench signature failed');
    const onePagePerSec = await opsPerSec(() => verify(signedOne, false), opts.microMs);
    const onePageBarePerSec = await opsPerSec(bare, opts.microMs);
    const onePageInThreadPerSec = await opsPerSec(() => verify(signedOne, true), opts.microMs);
    const largeMs = await timed(() => verify(signedLarge, true));
    const largeHashMs = await timed(() => createHash('sha256').update(signedLarge).digest());
    const bomb = byteRangeBomb(4 * 1024 * 1024);
    const bombMs = await timed(() => analyseSignatures(bomb, 60_000));
    const bombScanMs = await timed(() => countAll(bomb, '/ByteRange'));
    const manyObjects = opts.quick ? 100_000 : 600_000;
    const many = manyObjectsPdf(manyObjects);
    const manyObjectsMs = await timed(() => analyseSignatures(many, 60_000));
    const manyObjectsScanMs = await timed(() => countAll(many, ' obj'));
    // the hostile 50 MB file of the /health/live test: a /ByteRange bomb just under the upload limit
    const bigBomb = byteRangeBomb(48 * 1024 * 1024);
    const bigBombMs = await timed(() => analyseSignatures(bigBomb, 120_000));
    const bigBombScanMs = await timed(() => countAll(bigBomb, '/ByteRange'));
    return {
      onePagePerSec, onePageInThreadPerSec, onePageBarePerSec, largeBytes: signedLarge.length, largeMs, largeHashMs,
      bombBytes: bomb.length, bombMs, bigBombBytes: bigBomb.length, bigBombMs, manyObjects, manyObjectsMs, bombScanMs, bigBombScanMs, manyObjectsScanMs,
    };
  } finally {
    await closeAnalysisThread();
  }
}

/** The figures as latest.json keeps them: milliseconds rounded, and the ratios to the baselines. */
export function verificationJson(v: VerificationFigures) {
  return {
    onePagePerSec: round(v.onePagePerSec, 1), onePageInThreadPerSec: round(v.onePageInThreadPerSec, 1), onePageBarePerSec: round(v.onePageBarePerSec, 1),
    largeBytes: v.largeBytes, largeMs: round(v.largeMs), largeHashMs: round(v.largeHashMs),
    bombBytes: v.bombBytes, bombMs: round(v.bombMs), bombScanMs: round(v.bombScanMs, 1),
    bigBombBytes: v.bigBombBytes, bigBombMs: round(v.bigBombMs), bigBombScanMs: round(v.bigBombScanMs, 1),
    manyObjects: v.manyObjects, manyObjectsMs: round(v.manyObjectsMs), manyObjectsScanMs: round(v.manyObjectsScanMs, 1),
    ratios: {
      onePageVsBare: round(v.onePagePerSec / v.onePageBarePerSec, 3),
      largeVsHash: round(v.largeMs / v.largeHashMs, 1),
      bombVsScan: round(v.bombMs / v.bombScanMs, 1),
      bigBombVsScan: round(v.bigBombMs / v.bigBombScanMs, 1),
      manyObjectsVsScan: round(v.manyObjectsMs / v.manyObjectsScanMs, 1),
      /** Linearity: cost per byte of the 48 MiB bomb over that of the 4 MiB one (1 = linear). */
      bigBombPerByteVsBomb: round((v.bigBombMs / v.bigBombBytes) / (v.bombMs / v.bombBytes), 2),
    },
  };
}

export function verificationRows(v: ReturnType<typeof verificationJson>): [string, unknown][] {
  const mb = (b: number): string => `${round(b / 1024 / 1024, 1)} MiB`;
  return [
    ['verify 1 page (/s): ours / thread / bare hash+RSA', `${v.onePagePerSec} / ${v.onePageInThreadPerSec} / ${v.onePageBarePerSec} (ratio ${v.ratios.onePageVsBare})`],
    [`verify ${mb(v.largeBytes)} signed (ms): ours / SHA-256 alone`, `${v.largeMs} / ${v.largeHashMs} (×${v.ratios.largeVsHash})`],
    [`hostile ${mb(v.bombBytes)} /ByteRange bomb (ms): analysis / scan`, `${v.bombMs} / ${v.bombScanMs} (×${v.ratios.bombVsScan})`],
    [`hostile ${mb(v.bigBombBytes)} /ByteRange bomb (ms): analysis / scan`, `${v.bigBombMs} / ${v.bigBombScanMs} (×${v.ratios.bigBombVsScan}; per byte ×${v.ratios.bigBombPerByteVsBomb} the 4 MiB one's)`],
    [`hostile ${v.manyObjects} objects (ms): analysis / scan`, `${v.manyObjectsMs} / ${v.manyObjectsScanMs} (×${v.ratios.manyObjectsVsScan})`],
  ];
}

/** BENCH_ONLY=verify: this phase alone; its figures go into latest.json beside the others'. */
export async function verifyOnly(say: (s: string) => void): Promise<void> {
  const plan = planFromEnv();
  say(`verification phase only (${plan.quick ? 'quick' : 'full'})`);
  const v = verificationJson(await verificationFigures(await classicOnePagePdf(), await bigPdf(plan.quick ? 5_000_000 : plan.bigBytes), plan));
  const file = path.join(projectRoot(), 'bench', 'results', 'latest.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: Target[] } & Record<string, unknown>) : {};
  writeJson(file, { ...previous, verification: { ...v, measuredAt: new Date().toISOString(), quick: plan.quick } });
  printReport(verificationRows(v), [], []);
}
