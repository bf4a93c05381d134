import { EncryptedPDFError, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFObject, PDFPage, PDFRef, PDFString } from 'pdf-lib';
import { UnsignablePdfError } from './errors';
import { encodePdfTextString, formatPdfDate } from './pdf-text';
import { readXrefTail, writeXrefSection, XrefEntry, XrefTail } from './pdf-xref';

// Adds an empty signature to a PDF as an incremental update: the original bytes stay untouched
// (earlier signatures keep verifying) and only the page, the form and two new objects are appended.
// pdf-lib parses the document once; everything written here is serialized by hand so that the
// offsets of /ByteRange and /Contents are known exactly.

export type ByteRange = [number, number, number, number];

export interface SignatureDictionaryFields {
  signingTime: Date;
  reason?: string;
  location?: string;
  signerName?: string;
  contactInfo?: string;
}

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

const INVISIBLE: WidgetFactory = () => ({ rect: [0, 0, 0, 0] });

export interface PreparedPdf {
  bytes: Buffer;
  byteRange: ByteRange;
  /** Offset of the first hex digit inside /Contents < … >. */
  contentsOffset: number;
  /** How many DER bytes fit in /Contents. */
  capacity: number;
}

const ANNOTS = PDFName.of('Annots');
const ACROFORM = PDFName.of('AcroForm');
const FIELDS = PDFName.of('Fields');
const SIGFLAGS = PDFName.of('SigFlags');
const EXTENSIONS = PDFName.of('Extensions');
const ESIC = PDFName.of('ESIC');
// Fixed width so the real offsets can be written over it without moving a byte.
const BYTE_RANGE_PLACEHOLDER = '[0 0000000000 0000000000 0000000000]';
// SignaturesExist | AppendOnly: tells editors to save incrementally so the signature survives.
const SIG_FLAGS = 3;
// Print | Locked
const WIDGET_FLAGS = 132;

async function loadOnce(pdf: Uint8Array): Promise<PDFDocument> {
  try {
    return await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fast });
  } catch (err) {
    if (err instanceof EncryptedPDFError) throw new UnsignablePdfError('cannot sign an encrypted PDF');
    throw new UnsignablePdfError(`cannot parse the PDF: ${(err as Error).message}`);
  }
}

/** Appends `widget` to the page's /Annots, recording which object has to be rewritten. */
function attachToPage(doc: PDFDocument, page: PDFPage, widget: PDFRef, dirty: Map<PDFRef, PDFObject>): void {
  const annots = page.node.get(ANNOTS);
  const target = annots instanceof PDFRef ? doc.context.lookup(annots) : annots;
  if (annots instanceof PDFRef && target instanceof PDFArray) {
    target.push(widget);
    dirty.set(annots, target);
    return;
  }
  if (target instanceof PDFArray) target.push(widget);
  else page.node.set(ANNOTS, doc.context.obj([widget]));
  dirty.set(page.ref, page.node);
}

function fieldNames(doc: PDFDocument, fields: PDFArray): Set<string> {
  const names = new Set<string>();
  for (const item of fields.asArray()) {
    const field = item instanceof PDFRef ? doc.context.lookup(item) : item;
    const t = field instanceof PDFDict ? field.get(PDFName.of('T')) : undefined;
    if (t instanceof PDFString || t instanceof PDFHexString) names.add(t.decodeText());
  }
  return names;
}

/** Registers the field in /AcroForm (creating it if needed) and returns a field name not yet used. */
function attachToForm(doc: PDFDocument, catalogRef: PDFRef, widget: PDFRef, dirty: Map<PDFRef, PDFObject>): string {
  const { context, catalog } = doc;
  const acroEntry = catalog.get(ACROFORM);
  const existingForm = acroEntry instanceof PDFRef ? context.lookup(acroEntry) : acroEntry;
  const acroForm = existingForm instanceof PDFDict ? existingForm : PDFDict.withContext(context);
  if (acroForm !== existingForm) catalog.set(ACROFORM, acroForm);
  dirty.set(acroEntry instanceof PDFRef ? acroEntry : catalogRef, acroEntry instanceof PDFRef ? acroForm : catalog);

  const fieldsEntry = acroForm.get(FIELDS);
  const existingFields = fieldsEntry instanceof PDFRef ? context.lookup(fieldsEntry) : fieldsEntry;
  const fields = existingFields instanceof PDFArray ? existingFields : PDFArray.withContext(context);
  if (fields !== existingFields) acroForm.set(FIELDS, fields);
  else if (fieldsEntry instanceof PDFRef) dirty.set(fieldsEntry, fields);
  const taken = fieldNames(doc, fields);
  let n = taken.size + 1;
  while (taken.has(`Signature${n}`)) n++;
  fields.push(widget);

  const flags = acroForm.get(SIGFLAGS);
  acroForm.set(SIGFLAGS, PDFNumber.of((flags instanceof PDFNumber ? flags.asNumber() : 0) | SIG_FLAGS));
  return `Signature${n}`;
}

/**
 * ETSI.CAdES.detached is an extension to PDF 1.7: PAdES (TS 102 778-3 §4.1) asks such files to
 * declare /Extensions << /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> >> in the catalog.
 */
function declarePadesExtension(doc: PDFDocument, original: Buffer, catalogRef: PDFRef, dirty: Map<PDFRef, PDFObject>): void {
  if (/^%PDF-2\./.test(original.toString('latin1', 0, 8))) return;
  const { context, catalog } = doc;
  const entry = catalog.get(EXTENSIONS);
  const existing = entry instanceof PDFRef ? context.lookup(entry) : entry;
  if (existing instanceof PDFDict && existing.has(ESIC)) return;
  const extensions = existing instanceof PDFDict ? existing : PDFDict.withContext(context);
  extensions.set(ESIC, context.obj({ BaseVersion: PDFName.of('1.7'), ExtensionLevel: 2 }));
  if (entry instanceof PDFRef && existing === extensions) {
    dirty.set(entry, extensions);
  } else {
    catalog.set(EXTENSIONS, extensions);
    dirty.set(catalogRef, catalog);
  }
}

interface SignatureDictionaryText {
  text: string;
  /** Offsets inside `text` of the '<' opening /Contents and of the /ByteRange array. */
  contentsAt: number;
  byteRangeAt: number;
}

function signatureDictionary(fields: SignatureDictionaryFields, capacity: number): SignatureDictionaryText {
  const optional: [string, string | undefined][] = [
    ['Name', fields.signerName], ['Reason', fields.reason], ['Location', fields.location], ['ContactInfo', fields.contactInfo],
  ];
  const head =
    '<<\n/Type /Sig\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.CAdES.detached\n' +
    `/ByteRange ${BYTE_RANGE_PLACEHOLDER}\n/Contents <`;
  const tail =
    `>\n/M ${encodePdfTextString(formatPdfDate(fields.signingTime))}\n` +
    optional.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `/${k} ${encodePdfTextString(v ?? '')}\n`).join('') +
    '>>';
  return {
    text: head + '0'.repeat(capacity * 2) + tail,
    contentsAt: head.length - 1,
    byteRangeAt: head.indexOf(BYTE_RANGE_PLACEHOLDER),
  };
}

export async function addSignaturePlaceholder(
  input: Uint8Array,
  fields: SignatureDictionaryFields,
  capacity: number,
  widget: WidgetFactory = INVISIBLE,
): Promise<PreparedPdf> {
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

  let nextNumber = Math.max(context.largestObjectNumber + 1, tail.size);
  const sigRef = PDFRef.of(nextNumber++);
  const widgetRef = PDFRef.of(nextNumber++);
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const placement = widget({ box: page.getCropBox(), rotation }, () => PDFRef.of(nextNumber++));
  // last, so that it is the highest number and /Size follows from it
  const xrefStreamNumber = nextNumber++;
  const dirty = new Map<PDFRef, PDFObject>();
  attachToPage(doc, page, widgetRef, dirty);
  const fieldName = attachToForm(doc, catalogRef, widgetRef, dirty);
  declarePadesExtension(doc, original, catalogRef, dirty);

  const ap = placement.appearance ? `/AP << /N ${placement.appearance.ref.toString()} >> ` : '';
  const widgetText =
    `<< /Type /Annot /Subtype /Widget /FT /Sig /T ${encodePdfTextString(fieldName)} /V ${sigRef.toString()} ` +
    `/F ${WIDGET_FLAGS} /Rect [${placement.rect.join(' ')}] /P ${page.ref.toString()} ${ap}>>`;
  const sig = signatureDictionary(fields, capacity);

  const objects: [PDFRef, string | Buffer][] = [...dirty].map(([ref, obj]) => [ref, obj.toString()]);
  if (placement.appearance) objects.push(...placement.appearance.objects);
  objects.push([widgetRef, widgetText], [sigRef, sig.text]);

  const needsNewline = original.length > 0 && original[original.length - 1] !== 0x0a && original[original.length - 1] !== 0x0d;
  const chunks: Buffer[] = [original];
  let offset = original.length;
  const push = (...parts: (string | Buffer)[]): void => {
    for (const part of parts) {
      const b = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
      chunks.push(b);
      offset += b.length;
    }
  };
  if (needsNewline) push('\n');
  const entries: XrefEntry[] = [];
  let contentsLt = -1;
  let rangeAt = -1;
  for (const [ref, text] of objects) {
    entries.push({ objectNumber: ref.objectNumber, generation: ref.generationNumber, offset });
    const header = `${ref.objectNumber} ${ref.generationNumber} obj\n`;
    if (ref === sigRef) {
      contentsLt = offset + header.length + sig.contentsAt;
      rangeAt = offset + header.length + sig.byteRangeAt;
    }
    push(header, text, '\nendobj\n');
  }

  const { Info, ID } = context.trailerInfo;
  const inherited = [`/Root ${catalogRef.toString()}`, Info ? `/Info ${Info.toString()}` : '', ID ? `/ID ${ID.toString()}` : '']
    .filter(Boolean)
    .join(' ');
  const trailer = { size: Math.max(tail.size, xrefStreamNumber), prev: tail.startxref, inherited };
  chunks.push(writeXrefSection(tail.kind, entries, trailer, offset, xrefStreamNumber));

  const bytes = Buffer.concat(chunks);
  const contentsGt = contentsLt + 1 + capacity * 2;
  const byteRange: ByteRange = [0, contentsLt, contentsGt + 1, bytes.length - contentsGt - 1];
  const rangeText = `[${byteRange.join(' ')}]`;
  if (rangeText.length > BYTE_RANGE_PLACEHOLDER.length) throw new UnsignablePdfError('the PDF is too large to sign');
  const placeholderIntact =
    bytes.toString('latin1', rangeAt, rangeAt + BYTE_RANGE_PLACEHOLDER.length) === BYTE_RANGE_PLACEHOLDER;
  if (!placeholderIntact || bytes[contentsLt] !== 0x3c || bytes[contentsGt] !== 0x3e) {
    throw new Error('internal error: signature placeholder offsets are inconsistent');
  }
  bytes.write(rangeText.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), rangeAt, 'latin1');
  return { bytes, byteRange, contentsOffset: contentsLt + 1, capacity };
}
