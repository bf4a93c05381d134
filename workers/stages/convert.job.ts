import { Body, DocumentStatus, Stage } from '../../contracts';
import { ConvertError } from '../../services/convert/convert-errors';
import { convertInWorker, renderInWorker } from '../../services/convert/convert-in-worker';
import { BLOB_CHUNK_BYTES, getBlob, writeBlobToFile } from '../../services/domain/blobs/blob.repository';
import { tempDirOf, withTempFiles } from '../../services/domain/blobs/temp-files';
import { checkPdfFileInThread } from '../../services/convert/pdf-file-check-in-thread';
import { CONVERT_DEFAULTS, resolveOptions } from '../../services/convert/convert-options';
import { loadForStage, stageBlob, type StageFile, type StageRead } from '../../services/domain/documents/document-stages.repository';
import { advanceDocument, type StageAdvance, type StageBlob } from '../../services/domain/documents/document.repository';
import { extractPdfText } from '../../services/domain/search/document-text';
import { documentMetadataOf } from '../../services/domain/documents/document-metadata';
import { whatFollows } from '../../services/pipeline/stage-order';
import { priorityOf } from '../../services/pipeline/priority';
import type { Queryable } from '../../services/db/pool';
import type { Logger } from '../../services/logging/logger';
import { RenderInputError } from '../../services/render/render-official-document';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { failDocument } from './fail-document';
import { carriable, chainOrQueue, resumeStep } from '../runtime/stage-chain';
import { isSignedAttachment } from './sign.job';

/** Wall time of one body render in its thread. */
const BODY_RENDER_TIMEOUT_MS = 120_000;

/** The files convert reads: the upload and the attachments (not their kept sources). */
const CONVERT_INPUTS = '^(original|attachment-[0-9]+)$';

/**
 * convert: sources → the canonical PDF. A structured body is rendered in the Decree 30 format; a
 * file is converted in a worker thread with page, time and memory budgets (a PDF is checked —
 * it parses, it is not encrypted, its pages are counted — and passed through unchanged).
 */
export const convertStage: StageHandler<typeof Stage.convert> = {
  async run({ documentId }, ctx) {
    const { db, config, log } = ctx;
    // One read: the document, its files (small ones with their bytes), the names for a rendered body.
    // The sender's certificate too when sign runs next in this job (it may then read nothing itself: stage-chain.ts).
    const read = await loadForStage(db, documentId, { status: DocumentStatus.accepted, bytesOf: CONVERT_INPUTS, certificate: ctx.chains?.has(Stage.sign) ?? false });
    // Done already (a job taken over mid-chain resumes the steps it runs itself: stage-chain.ts), or revoked.
    if (!read || read.doc.status !== DocumentStatus.accepted) return resumeStep(read?.doc.status, documentId, ctx.chains);
    const { doc, files } = read;
    const original = files.find((f) => f.role === 'original');
    const tmpDir = tempDirOf(config.LIENTHONG_DATA_DIR);
    const { pdf, pageCount, reused } = original ? await convertStored(db, original, tmpDir) : { ...(await renderBody(read)), reused: false };
    // Attachments stay separate files, each converted; the upload is kept as attachment-N-source.
    // One of a type nothing here converts travels as it arrived (convertAttachment).
    const attachments: { source: StageFile; converted: Converted }[] = [];
    for (const a of files.filter((f) => /^attachment-\d+$/.test(f.role))) {
      const converted = await convertAttachment(db, a, tmpDir, log);
      if (converted) attachments.push({ source: a, converted });
    }
    // One statement: the move, the new PDFs, the files, the outbox row and the text for search (advanceDocument).
    const blobs: StageBlob[] = [];
    const attach: NonNullable<StageAdvance['files']> = [];
    const output = (converted: Converted, source: StageFile | undefined): { sha256: string } => {
      // A PDF passes through unchanged: the output is the same blob as the source.
      if (converted.reused && source) return source;
      const blob = stageBlob(converted.pdf!, 'application/pdf');
      blobs.push(blob);
      return blob;
    };
    const canonical = output({ pdf, pageCount, reused }, original);
    attach.push({ role: 'canonical', sha256: canonical.sha256, name: `${doc.number}-${doc.notation}.pdf`.replace(/[\\/]/g, '_') });
    for (const { source, converted } of attachments) {
      attach.push({ role: `${source.role}-source`, sha256: source.sha256, name: source.name });
      attach.push({ role: source.role, sha256: output(converted, source).sha256, name: pdfName(source.name ?? source.role) });
    }
    // Sign follows, in this job when this process runs it (stage-chain.ts), else through the outbox.
    const { outbox, next } = chainOrQueue(whatFollows(Stage.convert, documentId, priorityOf(doc.urgency)), ctx.chains);
    const move: StageAdvance = {
      id: documentId,
      from: DocumentStatus.accepted,
      to: DocumentStatus.converted,
      pageCount,
      blobs,
      files: attach,
      outbox,
      text: await textForSearch(db, pdf, original, tmpDir, log),
    };
    // Sign next in this job, with all it reads in memory: the move is carried into sign's (stage-chain.ts).
    const carried = next?.stage === Stage.sign && carriable(move) ? carriedRead(read, move) : undefined;
    const moved = carried ? true : await advanceDocument(db, move);
    log.info({ pageCount, source: original ? original.contentType : 'body' }, 'converted');
    if (!moved) return undefined;
    return carried ? { ...next!, carried: { move, read: carried } } : next;
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error, 'convert');
  },
};

/** What sign reads of a document: its canonical PDF and the attachments it signs. */
const SIGN_READS = (f: StageFile): boolean => f.role === 'canonical' || isSignedAttachment(f);

/**
 * The document as sign would read it once `move` had committed (loadForStage: files by role, the
 * bytes of those sign reads), built from the read and the move; undefined when a file sign reads has
 * no bytes in memory (a large one, stored chunk by chunk): then the move commits on its own.
 */
function carriedRead(read: StageRead, move: StageAdvance): StageRead | undefined {
  const known = new Map<string, { size: number; contentType: string; bytes: Buffer | null }>();
  for (const f of read.files) known.set(f.sha256, f);
  for (const b of move.blobs ?? []) known.set(b.sha256, { size: b.size, contentType: b.contentType, bytes: b.bytes ?? null });
  const files = new Map(read.files.map((f) => [f.role, f]));
  for (const f of move.files ?? []) {
    const blob = known.get(f.sha256);
    if (!blob) return undefined;
    files.set(f.role, { role: f.role, sha256: f.sha256, name: f.name, size: blob.size, contentType: blob.contentType, bytes: blob.bytes });
  }
  const after = [...files.values()].sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
  if (after.some((f) => SIGN_READS(f) && f.bytes === null)) return undefined;
  return { ...read, doc: { ...read.doc, status: DocumentStatus.converted, pageCount: move.pageCount ?? read.doc.pageCount }, files: after };
}

/**
 * The text for search, extracted once from the canonical PDF (the converted one, else the PDF that
 * passed through) and kept with the move. A failure loses no document: it is searchable by its
 * metadata only (null: no text kept).
 */
async function textForSearch(db: Queryable, pdf: Buffer | null, original: StageFile | undefined, tmpDir: string, log: Logger): Promise<string | null> {
  try {
    if (pdf) return await extractPdfText(pdf);
    if (original?.bytes) return await extractPdfText(original.bytes);
    if (!original) return '';
    return await withTempFiles(tmpDir, 1, async (copy) => {
      await writeBlobToFile(db, original.sha256, copy!);
      return extractPdfText(copy!);
    });
  } catch (err) {
    log.warn({ err }, 'text extraction for search failed; the document is searchable by its metadata only');
    return null;
  }
}

/** What an attachment can be that no converter here reads: it is kept, not converted. */
const KEPT_AS_IS = new Set(['UNSUPPORTED_TYPE', 'TEXT_NOT_UTF8']);

/**
 * An attachment converted to PDF, or null when its type is one nothing here converts (a legacy
 * .doc or .xls, a spreadsheet, a ZIP archive, text in a legacy Vietnamese encoding): other
 * vendors' envelopes carry such annexes. It then travels as it arrived (its file row unchanged,
 * not signed: the sign stage signs PDFs), and the document is not failed for it. A PDF that
 * cannot be read still fails the document, as the main file does.
 */
async function convertAttachment(db: Queryable, file: StageFile, tmpDir: string, log: Logger): Promise<Converted | null> {
  try {
    return await convertStored(db, file, tmpDir);
  } catch (err) {
    if (!(err instanceof PermanentStageError) || !KEPT_AS_IS.has(err.code)) throw err;
    log.info({ err, role: file.role, contentType: file.contentType }, 'attachment kept as it arrived (not convertible)');
    return null;
  }
}

/** `pdf` is null when the source is a PDF passed through unchanged (`reused`). */
interface Converted {
  pdf: Buffer | null;
  pageCount: number;
  reused: boolean;
}

/**
 * A large PDF (a chunked blob) is checked from a temporary file with bounded memory, in a
 * thread (never on this process's event loop); when that
 * reader cannot follow the file's cross-references, the full in-memory check decides, as for
 * every other source. Anything else is converted in a thread (convertInWorker).
 */
async function convertStored(db: Queryable, file: StageFile, tmpDir: string): Promise<Converted> {
  if (file.size > BLOB_CHUNK_BYTES && file.contentType === 'application/pdf' && file.size <= CONVERT_DEFAULTS.maxBytes) {
    const pageCount = await failPermanently(() =>
      withTempFiles(tmpDir, 1, async (copy) => {
        await writeBlobToFile(db, file.sha256, copy!);
        try {
          // in a thread with the convert budget: a file of 600,000 objects is seconds of parsing
          const opts = resolveOptions();
          return await checkPdfFileInThread(copy!, opts, opts.timeoutMs);
        } catch (err) {
          // The bounded reader could not follow the file: the full parse below decides.
          if (err instanceof ConvertError && err.code === 'PDF_INVALID') return null;
          throw err;
        }
      }),
    );
    if (pageCount !== null) return { pdf: null, pageCount, reused: true };
  }
  return convertFile(file.bytes ?? (await getBlob(db, file.sha256)), file.name ?? undefined, file.contentType);
}

async function convertFile(bytes: Buffer, name: string | undefined, contentType: string): Promise<Converted> {
  const r = await failPermanently(() => convertInWorker(bytes, { declaredType: name ?? contentType }));
  return r.sourceType === 'pdf' ? { pdf: null, pageCount: r.pageCount, reused: true } : { pdf: r.pdf, pageCount: r.pageCount, reused: false };
}

async function failPermanently<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    // A file that cannot be converted fails alone, with its reason; no retry can mend it.
    if (err instanceof ConvertError) throw new PermanentStageError(`${err.code}: ${err.message}`, err.code);
    throw err;
  }
}

/**
 * A structured body — from the API's JSON `body` or the web's body editor, both through the
 * intake, which issued the number printed here — rendered in the official layout in a conversion
 * thread (never on this process's event loop: a 136-page body is seconds of work).
 */
async function renderBody(read: StageRead): Promise<{ pdf: Buffer; pageCount: number }> {
  const { doc } = read;
  const body = Body.safeParse(read.body);
  if (!body.success) throw new PermanentStageError('the document has neither a file nor a valid body to render', 'INVALID_FILE');
  try {
    return await renderInWorker(
      {
        agency: { name: read.senderName ?? doc.senderCode, parentName: read.parentName },
        metadata: documentMetadataOf(doc, doc.recipientsRef),
        body: body.data,
      },
      // The body schema bounds the work (about 150 pages): a timeout means a busy machine, retried.
      { timeoutMs: BODY_RENDER_TIMEOUT_MS },
    );
  } catch (err) {
    if (err instanceof RenderInputError) throw new PermanentStageError(err.message, 'RENDER_INVALID');
    if (err instanceof ConvertError) throw new Error(`rendering the body failed (${err.code}): ${err.message}`, { cause: err });
    throw err;
  }
}

function pdfName(name: string): string {
  return /\.pdf$/i.test(name) ? name : `${name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.pdf`;
}
