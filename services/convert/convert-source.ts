import type { Block } from '../render/body.schema';
import { blocksToPdf } from './blocks-to-pdf';
import { ConvertError } from './convert-errors';
import { type ConvertOptions, Deadline, type ResolvedConvertOptions, resolveOptions } from './convert-options';
import { htmlToBlocks } from './html-blocks';
import { imageToPdf } from './image-source';
import { markdownToBlocks } from './markdown-blocks';
import { checkPdf } from './pdf-source';
import { type SourceType, decodeUtf8, sniffSourceType } from './sniff';
import { safeDocxArchive } from './zip-guard';

export type { ConvertOptions } from './convert-options';
export type { SourceType } from './sniff';
export { ConvertError, ConvertErrorCode } from './convert-errors';

export interface ConvertResult {
  pdf: Buffer;
  pageCount: number;
  sourceType: SourceType;
}

/**
 * A source (PDF, PNG, JPEG, DOCX, HTML, Markdown, text) as a PDF, in this thread. A PDF comes
 * back as the very same bytes. Budgets are checked between steps; for a hard stop on time and
 * memory use convertInWorker. Throws ConvertError.
 */
export async function convertSource(bytes: Buffer, options: ConvertOptions = {}): Promise<ConvertResult> {
  const opts = resolveOptions(options);
  const deadline = new Deadline(opts.timeoutMs);
  if (bytes.length > opts.maxBytes) {
    throw new ConvertError('SOURCE_TOO_LARGE', `the file is ${bytes.length} bytes; at most ${opts.maxBytes} are accepted`);
  }
  const sourceType = sniffSourceType(bytes, opts.declaredType);
  switch (sourceType) {
    case 'pdf':
      return { pdf: bytes, pageCount: await checkPdf(bytes, opts), sourceType };
    case 'png':
    case 'jpeg':
      return { pdf: await imageToPdf(bytes, sourceType, opts), pageCount: 1, sourceType };
    case 'text':
    case 'markdown':
    case 'html':
    case 'docx': {
      const blocks = await toBlocks(bytes, sourceType, opts);
      deadline.check(`reading the ${sourceType} source`);
      checkBlockBudget(blocks, opts);
      return { ...(await blocksToPdf(blocks, opts, deadline)), sourceType };
    }
    default: {
      const never: never = sourceType;
      throw new ConvertError('UNSUPPORTED_TYPE', `unsupported source ${String(never)}`);
    }
  }
}

async function toBlocks(bytes: Buffer, type: 'text' | 'markdown' | 'html' | 'docx', opts: ResolvedConvertOptions): Promise<Block[]> {
  if (type === 'docx') {
    const archive = safeDocxArchive(bytes);
    const mammoth = await import('mammoth'); // loaded only for Word documents: it is the slowest to load
    let html: string;
    try {
      html = (
        await mammoth.convertToHtml(
          { buffer: archive },
          // No images (we print text) and never a linked file from the worker's disk.
          { convertImage: mammoth.images.imgElement(async () => ({ src: '' })), externalFileAccess: false },
        )
      ).value;
    } catch (e) {
      throw new ConvertError('DOCX_INVALID', `the Word document cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    return htmlToBlocks(html);
  }
  const text = decodeUtf8(bytes).replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
  const lines = countLines(text);
  if (lines > opts.maxTextLines) {
    throw new ConvertError('TEXT_TOO_LONG', `the text has ${lines} lines; at most ${opts.maxTextLines} are accepted`);
  }
  if (type === 'html') return htmlToBlocks(text);
  if (type === 'markdown') return markdownToBlocks(text);
  // Plain text keeps its lines: each is a paragraph, blank lines keep their space.
  return text.replace(/\n+$/, '').split('\n').map((line) => ({ type: 'paragraph', text: line.replace(/\t/g, '    ') }));
}

/** Converted HTML/DOCX is bounded by blocks and characters, text already by its lines. */
function checkBlockBudget(blocks: Block[], opts: ResolvedConvertOptions): void {
  let chars = 0;
  let units = 0;
  for (const b of blocks) {
    if (b.type === 'table') {
      units += b.rows.length;
      for (const row of b.rows) for (const cell of row) chars += cell.length;
    } else {
      units += 1;
      chars += b.text.length;
    }
  }
  if (units > opts.maxTextLines) throw new ConvertError('TEXT_TOO_LONG', `the source has ${units} paragraphs and rows; at most ${opts.maxTextLines} are accepted`);
  if (chars > opts.maxTextChars) throw new ConvertError('TEXT_TOO_LONG', `the source has ${chars} characters; at most ${opts.maxTextChars} are accepted`);
}

function countLines(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}
