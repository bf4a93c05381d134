import fs from 'node:fs';
import { ErrorCode } from '../../../contracts';
import type { Db } from '../../db/pool';
import { DomainError } from '../errors/domain-error';
import { assertIncomingSignaturesValid, checkIncomingSignatures, IncomingSignatureError } from '../pki/incoming-signatures';

/** What the intake found in a PDF that arrived already signed: kept with the document and shown. */
export interface IncomingSignatureSummary {
  signed: boolean;
  ok: boolean;
  trusted: boolean;
  problem: string | null;
  signatures: { signer: string | null; signingTime: string | null; coversWholeDocument: boolean; chainTrusted: boolean; timestamped: boolean }[];
}

/**
 * A PDF that arrives signed (from another system, through edXML or upload) is verified before it
 * is accepted: a broken signature means it was changed after signing, and it is refused.
 * Unsigned and untrusted-but-intact PDFs pass; the finding is stored and shown.
 */
export async function checkArrivingSignatures(db: Db, pdf: Buffer, trustStoreDir: string | undefined): Promise<IncomingSignatureSummary | null> {
  if (pdf.indexOf('/ByteRange') === -1) return null; // cheap: no signature dictionary at all
  const check = await checkIncomingSignatures(db, pdf, trustStoreDir ? { trustStoreDir } : {});
  if (!check.signed) return null;
  try {
    assertIncomingSignaturesValid(check);
  } catch (err) {
    if (err instanceof IncomingSignatureError) {
      throw new DomainError(ErrorCode.SIGNATURE_INVALID, `Chữ ký số trên tệp không hợp lệ (văn bản đã bị sửa sau khi ký hoặc chữ ký giả mạo): ${err.message}`, [
        ...err.details.map((problem) => ({ problem })),
      ]);
    }
    throw err;
  }
  return {
    signed: check.signed,
    ok: check.ok,
    trusted: check.trusted,
    problem: check.problem ?? null,
    signatures: check.signatures.map((x) => ({
      signer: x.signerCommonName ?? null,
      signingTime: x.signingTime ? new Date(x.signingTime).toISOString() : null,
      coversWholeDocument: x.coversWholeDocument,
      chainTrusted: x.chainTrusted,
      timestamped: x.timestamp?.valid === true,
    })),
  };
}


const SIGNATURE_MARKER = Buffer.from('/ByteRange');
const SCAN_WINDOW = 1024 * 1024;

/** Whether `marker` occurs in the file, read in 1 MiB windows that overlap by the marker's length. */
export async function fileContains(file: string, marker: Buffer): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  const overlap = marker.length - 1;
  const buffer = Buffer.allocUnsafe(SCAN_WINDOW + overlap);
  try {
    let kept = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, kept, SCAN_WINDOW, null);
      if (bytesRead === 0) return false;
      const filled = kept + bytesRead;
      if (buffer.subarray(0, filled).indexOf(marker) !== -1) return true;
      kept = Math.min(overlap, filled);
      buffer.copy(buffer, 0, filled - kept, filled);
    }
  } finally {
    await handle.close();
  }
}

/**
 * checkArrivingSignatures for a PDF that arrived as a temporary file (a large upload): the file is
 * scanned for a signature dictionary in bounded windows, and read whole only when it has one (the
 * signature check needs the signed byte ranges and the signature together). Unsigned scans, the
 * usual large uploads, never sit in memory.
 */
export async function checkArrivingSignaturesOfFile(db: Db, file: string, trustStoreDir: string | undefined): Promise<IncomingSignatureSummary | null> {
  if (!(await fileContains(file, SIGNATURE_MARKER))) return null;
  return checkArrivingSignatures(db, await fs.promises.readFile(file), trustStoreDir);
}
