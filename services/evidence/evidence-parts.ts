import type { LedgerRow } from '../domain/ledger/ledger.repository';

/** The layout of an evidence bundle (ASiC-E: `mimetype` first, the manifest and its seal in META-INF/). */
export const ASIC_E_MIMETYPE = 'application/vnd.etsi.asic-e+zip';
export const MANIFEST_PATH = 'META-INF/ASiCManifest.xml';
export const SEAL_PATH = 'META-INF/signature.p7s';
export const TIMELINE_PATH = 'timeline.json';
export const ENVELOPE_PATH = 'document/envelope.edxml';
export const LEDGER_PATH = 'ledger/rows.json';
export const ANCHOR_TOKEN_PATH = 'ledger/anchor.tsr';
export const DISPOSAL_PATH = 'disposal.json';

export const filePath = (role: string, name: string | null): string => {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name ?? '')?.[1]?.toLowerCase() ?? 'pdf';
  return `document/${role}.${ext}`;
};
export const receiptPath = (eventId: number, code: string): string => `receipts/${eventId}-${code}.p7s`;

/** One part of the bundle: its bytes in memory, or a blob streamed from storage. */
export interface EvidencePart {
  path: string;
  mimeType: string;
  sha256: string;
  size: number;
  bytes?: Buffer;
  blobSha256?: string;
  /** Stored uncompressed (already compressed formats: PDF, DER). */
  store?: boolean;
}

/** The timeline part (timeline.json). */
export interface EvidenceTimeline {
  type: 'lienthong-evidence-timeline';
  version: 1;
  generatedAt: string;
  generatedFor: string;
  scope: 'sender' | 'recipient';
  document: {
    id: string;
    sender: string;
    senderName: string;
    documentType: string;
    number: string;
    notation: string;
    issuedOn: string;
    subject: string;
    status: string;
    createdAt: string;
    revokedAt: string | null;
    revokeReason: string | null;
    disposedAt: string | null;
    signatureLevel: string | null;
  };
  files: { role: string; name: string | null; contentType: string; sha256: string; size: number; part: string | null }[];
  dispatches: {
    id: string;
    recipient: string;
    recipientName: string;
    channel: string | null;
    status: string;
    incomingNumber: string | null;
    deliveredAt: string | null;
    events: { id: number; code: string; at: string; actor: string | null; note: string | null }[];
  }[];
}

/** The ledger part (ledger/rows.json): the document's rows and every row after them to the anchor. */
export interface EvidenceLedger {
  type: 'lienthong-evidence-ledger';
  version: 1;
  chain: string;
  /** Rows of the chain in order, from the document's first row to the anchored row (exact hashed fields). */
  rows: EvidenceLedgerRow[];
  documentRowIds: number[];
  anchor: { rowId: number; rowHash: string; genTime: string; token: string } | null;
  /**
   * 'chain-path' (the sender's bundle): the rows are the chain from the document's first row to the
   * anchored one, the sender's other documents included (its own records). 'own-rows' (a
   * recipient's bundle): only this document's rows — another agency's records are never shown —
   * and the token timestamps the JSON array of their hashes (`ownRowsDigest`, hex SHA-256).
   */
  proof?: 'chain-path' | 'own-rows';
  ownRowsDigest?: string;
  howToCheck: string;
}

/** What the 'own-rows' token covers: the JSON array of the rows' hashes, in order. */
export function ownRowsMessage(rows: { hash: string }[]): Buffer {
  return Buffer.from(JSON.stringify(rows.map((r) => r.hash)), 'utf8');
}

/** A ledger row in a bundle: the stored row, as the ledger reads it back. */
export type EvidenceLedgerRow = LedgerRow;
