import { Body, DocumentStatus, Stage } from '../../contracts';
import { inTransaction } from '../../services/db/pool';
import { ConvertError } from '../../services/convert/convert-errors';
import { convertInWorker } from '../../services/convert/convert-in-worker';
import { findAgency } from '../../services/domain/agencies/agency.repository';
import { attachFile, BLOB_CHUNK_BYTES, getBlob, listFiles, putBlob, writeBlobToFile, type FileRow } from '../../services/domain/blobs/blob.repository';
import { tempDirOf, withTempFiles } from '../../services/domain/blobs/temp-files';
import { checkPdfFile } from '../../services/convert/pdf-file-check';
import { CONVERT_DEFAULTS, resolveOptions } from '../../services/convert/convert-options';
import { loadDocument, moveDocumentStatus, type DocumentRow } from '../../services/domain/documents/document.repository';
import { documentMetadataOf } from '../../services/domain/documents/document-metadata';
import { addToOutbox } from '../../services/domain/outbox/outbox.repository';
import { whatFollows } from '../../services/domain/pipeline/pipeline';
import { priorityOf } from '../../services/domain/pipeline/priority';
import type { Queryable } from '../../services/db/pool';
import { RenderInputError, renderOfficialDocument } from '../../services/render/render-official-document';
import { PermanentStageError, type StageHandler } from '../runtime/stage-context';
import { failDocument } from './fail-document';

/**
 * convert: sources → the canonical PDF. A structured body is rendered in the Decree 30 format; a
 * file is converted in a worker thread with page, time and memory budgets (a PDF is checked —
 * it parses, it is not encrypted, its pages are counted — and passed through unchanged).
 */
export const convertStage: StageHandler<typeof Stage.convert> = {
  async run({ documentId }, { db, config, log }) {
    const doc = await loadDocument(db, documentId);
    if (!doc || doc.status !== DocumentStatus.accepted) return; // done already, or revoked
    const files = await listFiles(db, documentId);
    const original = files.find((f) => f.role === 'original');
    const tmpDir = tempDirOf(config.LIENTHONG_DATA_DIR);
    const { pdf, pageCount, reused } = original ? await convertStored(db, original, tmpDir) : { ...(await renderBody(db, doc)), reused: false };
    // Attachments stay separate files, each converted; the upload is kept as attachment-N-source.
    const attachments: { source: FileRow; converted: Converted }[] = [];
    for (const a of files.filter((f) => /^attachment-\d+$/.test(f.role))) {
      attachments.push({ source: a, converted: await convertStored(db, a, tmpDir) });
    }
    await inTransaction(db, async (tx) => {
      if (!(await moveDocumentStatus(tx, documentId, DocumentStatus.accepted, DocumentStatus.converted, { pageCount }))) return;
      // A PDF passes through unchanged: the canonical file is the same blob as the original.
      const blob = reused && original ? original : await putBlob(tx, pdf!, 'application/pdf');
      await attachFile(tx, documentId, 'canonical', blob, `${doc.number}-${doc.notation}.pdf`.replace(/[\\/]/g, '_'));
      for (const { source, converted } of attachments) {
        await attachFile(tx, documentId, `${source.role}-source`, source, source.name);
        const pdfBlob = converted.reused ? source : await putBlob(tx, converted.pdf!, 'application/pdf');
        await attachFile(tx, documentId, source.role, pdfBlob, pdfName(source.name ?? source.role));
      }
      await addToOutbox(tx, whatFollows(Stage.convert, documentId, priorityOf(doc.urgency)));
    });
    log.info({ pageCount, source: original ? original.contentType : 'body' }, 'converted');
  },
  async onFinalFailure({ documentId }, error, { db }) {
    await failDocument(db, documentId, error);
  },
};

/** `pdf` is null when the source is a PDF passed through unchanged (`reused`). */
interface Converted {
  pdf: Buffer | null;
  pageCount: number;
  reused: boolean;
}

/**
 * A large PDF (a chunked blob) is checked from a temporary file with bounded memory; when that
 * reader cannot follow the file's cross-references, the full in-memory check decides, as for
 * every other source. Anything else is converted in a thread (convertInWorker).
 */
async function convertStored(db: Queryable, file: FileRow, tmpDir: string): Promise<Converted> {
  if (file.size > BLOB_CHUNK_BYTES && file.contentType === 'application/pdf' && file.size <= CONVERT_DEFAULTS.maxBytes) {
    const pageCount = await failPermanently(() =>
      withTempFiles(tmpDir, 1, async (copy) => {
        await writeBlobToFile(db, file.sha256, copy!);
        try {
          return await checkPdfFile(copy!, resolveOptions());
        } catch (err) {
          // The bounded reader could not follow the file: the full parse below decides.
          if (err instanceof ConvertError && err.code === 'PDF_INVALID') return null;
          throw err;
        }
      }),
    );
    if (pageCount !== null) return { pdf: null, pageCount, reused: true };
  }
  return convertFile(await getBlob(db, file.sha256), file.name ?? undefined, file.contentType);
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

async function renderBody(db: Queryable, doc: DocumentRow): Promise<{ pdf: Buffer; pageCount: number }> {
  const row = await db.query<{ body: unknown }>(`SELECT body FROM documents WHERE id = $1`, [doc.id]);
  const body = Body.safeParse(row.rows[0]?.body);
  if (!body.success) throw new PermanentStageError('the document has neither a file nor a valid body to render', 'INVALID_FILE');
  const agency = await findAgency(db, doc.senderCode);
  const parent = agency?.parentCode ? await findAgency(db, agency.parentCode) : undefined;
  try {
    return await renderOfficialDocument({
      agency: { name: agency?.name ?? doc.senderCode, parentName: parent?.name ?? null },
      metadata: documentMetadataOf(doc, doc.recipientsRef),
      body: body.data,
    });
  } catch (err) {
    if (err instanceof RenderInputError) throw new PermanentStageError(err.message, 'RENDER_INVALID');
    throw err;
  }
}

function pdfName(name: string): string {
  return /\.pdf$/i.test(name) ? name : `${name.replace(/\.[A-Za-z0-9]{1,5}$/, '')}.pdf`;
}
