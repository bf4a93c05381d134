import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFObject, PDFRef, PDFString } from 'pdf-lib';
import { UnsignablePdfError } from './errors';
import { encodePdfTextString } from './pdf-text';
import { writeXrefSection, XrefEntry } from './pdf-xref';
import { continuation, loadSignTarget, type PageGeometry, type SignTarget, type WidgetFactory } from './sign-target';
import { BYTE_RANGE_PLACEHOLDER, signatureDictionary, type ByteRange, type SignatureDictionaryFields } from './signature-dictionary';

export { continuation, loadSignTarget };
export type { ByteRange, PageGeometry, SignatureDictionaryFields, SignTarget, WidgetFactory };
export type { WidgetPlacement } from './sign-target';

// Adds an empty signature to a PDF as an incremental update: the original bytes stay untouched
// (earlier signatures keep verifying) and only the page, the form and two new objects are appended.
// The document is read either whole by pdf-lib (addSignaturePlaceholder) or lazily from a file
// (pdf-file-signing); both hand a SignTarget to buildSignatureUpdate, which serializes everything
// by hand so that the offsets of /ByteRange and /Contents are known exactly.

const INVISIBLE: WidgetFactory = () => ({ rect: [0, 0, 0, 0] });

export interface PreparedPdf {
  bytes: Buffer;
  byteRange: ByteRange;
  /** Offset of the first hex digit inside /Contents < … >. */
  contentsOffset: number;
  /** How many DER bytes fit in /Contents. */
  capacity: number;
  /** The document after this update, for a further update without parsing again (B-LT, B-LTA). */
  next: SignTarget;
}

/** The bytes to append to the original (the placeholder /Contents still zeros) and where things are. */
export interface SignatureUpdate {
  update: Buffer;
  /** Absolute offsets in original + update. */
  byteRange: ByteRange;
  /** Absolute offset of the first hex digit inside /Contents < … >. */
  contentsOffset: number;
  capacity: number;
  /** The document as it is after the update (the same objects, the new cross-reference tail). */
  next: SignTarget;
}

const ANNOTS = PDFName.of('Annots');
const ACROFORM = PDFName.of('AcroForm');
const FIELDS = PDFName.of('Fields');
const SIGFLAGS = PDFName.of('SigFlags');
const EXTENSIONS = PDFName.of('Extensions');
const ESIC = PDFName.of('ESIC');
// SignaturesExist | AppendOnly: tells editors to save incrementally so the signature survives.
const SIG_FLAGS = 3;
// Print | Locked
const WIDGET_FLAGS = 132;

/** Appends `widget` to the page's /Annots, recording which object has to be rewritten. */
function attachToPage(t: SignTarget, widget: PDFRef, dirty: Map<PDFRef, PDFObject>): void {
  const { node, ref } = t.page;
  const annots = node.get(ANNOTS);
  const target = annots instanceof PDFRef ? t.lookup(annots) : annots;
  if (annots instanceof PDFRef && target instanceof PDFArray) {
    target.push(widget);
    dirty.set(annots, target);
    return;
  }
  if (target instanceof PDFArray) target.push(widget);
  else node.set(ANNOTS, t.context.obj([widget]));
  dirty.set(ref, node);
}

function fieldNames(t: SignTarget, fields: PDFArray): Set<string> {
  const names = new Set<string>();
  for (const item of fields.asArray()) {
    const field = item instanceof PDFRef ? t.lookup(item) : item;
    const name = field instanceof PDFDict ? field.get(PDFName.of('T')) : undefined;
    if (name instanceof PDFString || name instanceof PDFHexString) names.add(name.decodeText());
  }
  return names;
}

/** Registers the field in /AcroForm (creating it if needed) and returns a field name not yet used. */
function attachToForm(t: SignTarget, widget: PDFRef, dirty: Map<PDFRef, PDFObject>): string {
  const { context, catalog, catalogRef } = t;
  const acroEntry = catalog.get(ACROFORM);
  const existingForm = acroEntry instanceof PDFRef ? t.lookup(acroEntry) : acroEntry;
  const acroForm = existingForm instanceof PDFDict ? existingForm : PDFDict.withContext(context);
  if (acroForm !== existingForm) catalog.set(ACROFORM, acroForm);
  dirty.set(acroEntry instanceof PDFRef ? acroEntry : catalogRef, acroEntry instanceof PDFRef ? acroForm : catalog);

  const fieldsEntry = acroForm.get(FIELDS);
  const existingFields = fieldsEntry instanceof PDFRef ? t.lookup(fieldsEntry) : fieldsEntry;
  const fields = existingFields instanceof PDFArray ? existingFields : PDFArray.withContext(context);
  if (fields !== existingFields) acroForm.set(FIELDS, fields);
  else if (fieldsEntry instanceof PDFRef) dirty.set(fieldsEntry, fields);
  const taken = fieldNames(t, fields);
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
function declarePadesExtension(t: SignTarget, dirty: Map<PDFRef, PDFObject>): void {
  if (/^%PDF-2\./.test(t.header)) return;
  const { context, catalog, catalogRef } = t;
  const entry = catalog.get(EXTENSIONS);
  const existing = entry instanceof PDFRef ? t.lookup(entry) : entry;
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

export async function addSignaturePlaceholder(
  input: Uint8Array,
  fields: SignatureDictionaryFields,
  capacity: number,
  widget: WidgetFactory = INVISIBLE,
): Promise<PreparedPdf> {
  const { original, target } = await loadSignTarget(input);
  const built = buildSignatureUpdate(target, fields, capacity, widget);
  const bytes = Buffer.concat([original, built.update]);
  return { bytes, byteRange: built.byteRange, contentsOffset: built.contentsOffset, capacity, next: built.next };
}

/**
 * The incremental update that adds a signature field with an empty /Contents of `capacity`
 * bytes: the page (or its /Annots), the form, the catalog when it changes, the widget with its
 * appearance, the signature dictionary and a cross-reference section of the file's kind. The
 * /ByteRange is already filled in, for the original followed by this update.
 */
export function buildSignatureUpdate(
  target: SignTarget,
  fields: SignatureDictionaryFields,
  capacity: number,
  widget: WidgetFactory = INVISIBLE,
): SignatureUpdate {
  const { tail, page } = target;
  let nextNumber = Math.max(target.nextObjectNumber, tail.size);
  const sigRef = PDFRef.of(nextNumber++);
  const widgetRef = PDFRef.of(nextNumber++);
  const placement = widget(page.geometry, () => PDFRef.of(nextNumber++));
  // last, so that it is the highest number and /Size follows from it
  const xrefStreamNumber = nextNumber++;
  const dirty = new Map<PDFRef, PDFObject>();
  attachToPage(target, widgetRef, dirty);
  const fieldName = attachToForm(target, widgetRef, dirty);
  declarePadesExtension(target, dirty);

  const ap = placement.appearance ? `/AP << /N ${placement.appearance.ref.toString()} >> ` : '';
  const widgetText =
    `<< /Type /Annot /Subtype /Widget /FT /Sig /T ${encodePdfTextString(fieldName)} /V ${sigRef.toString()} ` +
    `/F ${WIDGET_FLAGS} /Rect [${placement.rect.join(' ')}] /P ${page.ref.toString()} ${ap}>>`;
  const sig = signatureDictionary(fields, capacity);

  const objects: [PDFRef, string | Buffer][] = [...dirty].map(([ref, obj]) => [ref, obj.toString()]);
  if (placement.appearance) objects.push(...placement.appearance.objects);
  objects.push([widgetRef, widgetText], [sigRef, sig.text]);

  const { lastByte } = target;
  const needsNewline = target.length > 0 && lastByte !== 0x0a && lastByte !== 0x0d;
  const chunks: Buffer[] = [];
  let offset = target.length;
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

  const { Info, ID } = target.trailer;
  const inherited = [`/Root ${target.catalogRef.toString()}`, Info ? `/Info ${Info.toString()}` : '', ID ? `/ID ${ID.toString()}` : '']
    .filter(Boolean)
    .join(' ');
  const trailer = { size: Math.max(tail.size, xrefStreamNumber), prev: tail.startxref, inherited };
  const xrefOffset = offset;
  chunks.push(writeXrefSection(tail.kind, entries, trailer, offset, xrefStreamNumber));

  const update = Buffer.concat(chunks);
  const total = target.length + update.length;
  const at = (absolute: number): number => absolute - target.length;
  const contentsGt = contentsLt + 1 + capacity * 2;
  const byteRange: ByteRange = [0, contentsLt, contentsGt + 1, total - contentsGt - 1];
  const rangeText = `[${byteRange.join(' ')}]`;
  if (rangeText.length > BYTE_RANGE_PLACEHOLDER.length) throw new UnsignablePdfError('the PDF is too large to sign');
  const placeholderIntact =
    update.toString('latin1', at(rangeAt), at(rangeAt) + BYTE_RANGE_PLACEHOLDER.length) === BYTE_RANGE_PLACEHOLDER;
  if (!placeholderIntact || update[at(contentsLt)] !== 0x3c || update[at(contentsGt)] !== 0x3e) {
    throw new Error('internal error: signature placeholder offsets are inconsistent');
  }
  update.write(rangeText.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), at(rangeAt), 'latin1');
  return { update, byteRange, contentsOffset: contentsLt + 1, capacity, next: continuation(target, update, xrefOffset, xrefStreamNumber) };
}
