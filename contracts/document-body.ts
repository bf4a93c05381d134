import { z } from 'zod';

/**
 * The structured body of a document to render per Decree 30 (design.md §6), in POST /v1/documents. Part of the HTTP
 * contract: add fields freely, rename none. The limits keep one request from tying up a worker:
 * the total cap is about 150 printed pages of body text.
 */
export const BODY_LIMITS = {
  maxBlocks: 2000,
  maxTextLength: 20_000,
  maxLabelLength: 20,
  maxTableRows: 200,
  maxTableColumns: 10,
  maxCellLength: 2000,
  maxRecipientLines: 200,
  maxRecipientLength: 300,
  maxCopiesLength: 300,
  maxTotalCharacters: 400_000,
} as const;

const text = z.string().max(BODY_LIMITS.maxTextLength);

export const ParagraphBlock = z.object({ type: z.literal('paragraph'), text }).strict();

export const ItemBlock = z
  .object({
    type: z.literal('item'),
    /** As printed: "1.", "a)", "đ)", "-". */
    label: z.string().min(1).max(BODY_LIMITS.maxLabelLength),
    text,
    level: z.union([z.literal(1), z.literal(2)]).optional(),
  })
  .strict();

export const HeadingBlock = z.object({ type: z.literal('heading'), text: z.string().min(1).max(2000) }).strict();

export const TableBlock = z
  .object({
    type: z.literal('table'),
    rows: z
      .array(z.array(z.string().max(BODY_LIMITS.maxCellLength)).min(1).max(BODY_LIMITS.maxTableColumns))
      .min(1)
      .max(BODY_LIMITS.maxTableRows),
  })
  .strict();

export const Block = z.discriminatedUnion('type', [ParagraphBlock, ItemBlock, HeadingBlock, TableBlock]);
export type Block = z.infer<typeof Block>;

export const Body = z
  .object({
    blocks: z.array(Block).min(1).max(BODY_LIMITS.maxBlocks),
    /** The "Nơi nhận:" lines, e.g. "- TT Tỉnh uỷ;". */
    recipientsText: z.array(z.string().max(BODY_LIMITS.maxRecipientLength)).max(BODY_LIMITS.maxRecipientLines).optional(),
    /** The last recipients line, e.g. "Lưu: VT, TH." (printed as "- Lưu: VT, TH."). */
    copies: z.string().max(BODY_LIMITS.maxCopiesLength).optional(),
  })
  .strict()
  .refine((body) => totalCharacters(body.blocks) <= BODY_LIMITS.maxTotalCharacters, {
    message: `the body holds more than ${BODY_LIMITS.maxTotalCharacters} characters`,
    path: ['blocks'],
  });
export type Body = z.infer<typeof Body>;

function totalCharacters(blocks: Block[]): number {
  let n = 0;
  for (const b of blocks) {
    if (b.type === 'table') for (const row of b.rows) for (const cell of row) n += cell.length;
    else n += b.text.length;
  }
  return n;
}
