import type { Response } from 'express';
import type { SearchItem } from '../../../contracts';
import { DOCUMENT_COLUMNS } from '../../export/document-columns';
import { contentDisposition, CSV_TYPE, toCsv, toXlsx, XLSX_TYPE, type ExportTable } from '../../export/table-export';

export type ExportFormat = 'xlsx' | 'csv';

/** Sends a table as .xlsx or CSV (UTF-8 with BOM) under a Vietnamese file name. */
export async function sendTable<T>(res: Response, format: ExportFormat, t: ExportTable<T>, baseName: string): Promise<void> {
  const body = format === 'xlsx' ? await toXlsx(t) : toCsv(t);
  res.setHeader('Content-Disposition', contentDisposition(`${baseName}.${format}`));
  res.type(format === 'xlsx' ? XLSX_TYPE : CSV_TYPE).send(body);
}

/** A document list as a table; a list longer than the export limit says so in its title. */
export function documentListTable(title: string, rows: SearchItem[], total: number): ExportTable<SearchItem> {
  const note = rows.length < total ? ` (${rows.length.toLocaleString('vi-VN')} / ${total.toLocaleString('vi-VN')} dòng đầu)` : ` (${total.toLocaleString('vi-VN')} văn bản)`;
  return { sheet: title, title: `${title}${note}`, columns: DOCUMENT_COLUMNS, rows };
}
