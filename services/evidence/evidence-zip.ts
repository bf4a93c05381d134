import type { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { Queryable } from '../db/pool';
import { blobPieces } from '../domain/blobs/blob.repository';
import { sealContent } from '../signing/cms-seal';
import type { SigningIdentity } from '../signing/pades-signer';
import { buildManifest } from './asic-manifest';
import { ASIC_E_MIMETYPE, MANIFEST_PATH, SEAL_PATH, type EvidencePart } from './evidence-parts';

// The bundle is written as a stream with yazl: blobs go from PostgreSQL to the client chunk by
// chunk (blobPieces), so a 50 MB signed PDF never sits whole in the gateway. Every digest is known
// before a byte is written (blobs are content-addressed; the other parts are small), so the
// manifest and its seal are computed first and written last.

const FIXED_TIME = new Date(Date.UTC(2020, 0, 1));

/** Writes the ASiC-E ZIP of `parts` to `out`, sealed with `seal` (the hub's identity). */
export async function writeEvidenceZip(db: Queryable, parts: EvidencePart[], seal: SigningIdentity, out: Writable): Promise<void> {
  const manifest = buildManifest(parts.map((p) => ({ path: p.path, mimeType: p.mimeType, sha256: p.sha256 })));
  const signature = sealContent(manifest, seal, { detached: true });
  const zip = new yazl.ZipFile();
  const opts = (store: boolean) => ({ mtime: FIXED_TIME, compress: !store });
  // ASiC: `mimetype` first, stored, no extra field.
  zip.addBuffer(Buffer.from(ASIC_E_MIMETYPE, 'ascii'), 'mimetype', opts(true));
  for (const p of parts) {
    if (p.bytes) zip.addBuffer(p.bytes, p.path, opts(!!p.store));
    else zip.addReadStream(Readable.from(blobPieces(db, p.blobSha256!)), p.path, { ...opts(!!p.store), size: p.size });
  }
  zip.addBuffer(manifest, MANIFEST_PATH, opts(false));
  zip.addBuffer(signature, SEAL_PATH, opts(true));
  zip.end();
  await pipeline(zip.outputStream, out);
}
