import { EncryptedPDFError, ParseSpeeds, PDFContext, PDFDict, PDFDocument, PDFObject, PDFRef } from 'pdf-lib';
import { UnsignablePdfError } from './errors';
import { readXrefTail, XrefTail } from './pdf-xref';

// The document as an incremental update sees it (a SignTarget), read whole by pdf-lib
// (loadSignTarget) or lazily from a file (pdf-file-signing), and what it becomes once an update
// is appended (continuation): the signature placeholder (pdf-placeholder.ts), the DSS and the
// document timestamp (ltv/) all write on top of one.

/** The first page's visible box and rotation, which a visible stamp needs to place itself. */
export interface PageGeometry {
  box: { x: number; y: number; width: number; height: number };
  rotation: number;
}

/** Where the widget sits, and the appearance stream (/AP /N) with every object it needs. */
export interface WidgetPlacement {
  rect: [number, number, number, number];
  appearance?: { ref: PDFRef; objects: [PDFRef, Buffer][] };
}

/** Builds the widget once the page is known; `allocate` hands out fresh object numbers. */
export type WidgetFactory = (page: PageGeometry, allocate: () => PDFRef) => WidgetPlacement;

async function loadOnce(pdf: Uint8Array): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fast });
  } catch (err) {
    if (err instanceof EncryptedPDFError) throw new UnsignablePdfError('cannot sign an encrypted PDF');
    throw new UnsignablePdfError(`cannot parse the PDF: ${(err as Error).message}`);
  }
}

/**
 * What the update builder needs from the document, whichever way it was read: pdf-lib's full
 * load (addSignaturePlaceholder) or the lazy file reader (pdf-file-signing). Objects handed out
 * are mutated in place by the builder and then serialized with pdf-lib's toString().
 */
export interface SignTarget {
  /** Makes new dictionaries and arrays. */
  context: PDFContext;
  catalogRef: PDFRef;
  catalog: PDFDict;
  /** The first page and its geometry (inherited /CropBox or /MediaBox, /Rotate). */
  page: { ref: PDFRef; node: PDFDict; geometry: PageGeometry };
  /** Carried over into the new trailer. */
  trailer: { Info?: PDFObject; ID?: PDFObject };
  /** The section the update continues (/Prev) and whose kind it repeats. */
  tail: XrefTail;
  /** The first object number free for the update. */
  nextObjectNumber: number;
  /** The first bytes of the file (the version in the header). */
  header: string;
  /** Length of the original file and its last byte. */
  length: number;
  lastByte: number | undefined;
  /** Follows a reference; anything else comes back as it is. */
  lookup(o: PDFObject | undefined): PDFObject | undefined;
}

/**
 * The target after appending `update` whose cross-reference section starts at `xrefOffset` and
 * reserved object number `xrefNumber` (the highest): what a later update continues, as a fresh
 * parse would find it. The objects handed out stay those the update serialized.
 */
export function continuation(t: SignTarget, update: Buffer, xrefOffset: number, xrefNumber: number): SignTarget {
  const size = t.tail.kind === 'table' ? Math.max(t.tail.size, xrefNumber) : Math.max(t.tail.size, xrefNumber + 1);
  return {
    ...t,
    tail: { startxref: xrefOffset, kind: t.tail.kind, size },
    nextObjectNumber: xrefNumber + 1,
    length: t.length + update.length,
    lastByte: update[update.length - 1],
  };
}

/**
 * The whole PDF read by pdf-lib as a SignTarget (and the bytes to append to: the input, or
 * pdf-lib's rewrite when its startxref is broken). Used by signing and by the B-LT/B-LTA
 * augmentations (DSS, document timestamp), which append their own updates.
 */
export async function loadSignTarget(input: Uint8Array): Promise<{ original: Buffer; target: SignTarget }> {
  const doc = await loadOnce(input);
  let original = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  let tail: XrefTail | null = readXrefTail(original);
  if (!tail) {
    // A broken startxref leaves nothing to append to; pdf-lib's rewrite of the same objects
    // (same numbers, so the parsed document stays valid) gives a clean base.
    original = Buffer.from(await doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false }));
    tail = readXrefTail(original);
    if (!tail) throw new UnsignablePdfError('cannot locate the cross-reference section of the PDF');
  }
  const { context } = doc;
  const catalogRef = context.trailerInfo.Root;
  if (!(catalogRef instanceof PDFRef)) throw new UnsignablePdfError('the PDF trailer has no indirect /Root');
  if (context.trailerInfo.Encrypt) throw new UnsignablePdfError('cannot sign an encrypted PDF');
  const page = doc.getPages()[0];
  if (!page) throw new UnsignablePdfError('the PDF has no pages');
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const { Info, ID } = context.trailerInfo;
  const target: SignTarget = {
    context,
    catalogRef,
    catalog: doc.catalog,
    page: { ref: page.ref, node: page.node, geometry: { box: page.getCropBox(), rotation } },
    trailer: { Info, ID },
    tail,
    nextObjectNumber: Math.max(context.largestObjectNumber + 1, tail.size),
    header: original.toString('latin1', 0, 8),
    length: original.length,
    lastByte: original[original.length - 1],
    lookup: (o) => (o instanceof PDFRef ? context.lookup(o) : o),
  };
  return { original, target };
}
