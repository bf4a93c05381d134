import ExcelJS from 'exceljs';

/** A column of an exported table: its Vietnamese heading, a width in characters, and the cell. */
export interface ExportColumn<T> {
  header: string;
  width?: number;
  value: (row: T) => string | number | null;
}

export interface ExportTable<T> {
  /** Sheet name (at most 31 characters) and the title line above the table. */
  sheet: string;
  title?: string;
  columns: ExportColumn<T>[];
  rows: Iterable<T>;
}

const BOM = '\uFEFF';

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A leading = + - @ would be a formula in Excel: quoted with an apostrophe so it stays text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n;]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV in UTF-8 with a byte-order mark, CRLF lines: Excel opens Vietnamese correctly. */
export function toCsv<T>(t: ExportTable<T>): Buffer {
  const lines = [t.columns.map((c) => csvCell(c.header)).join(',')];
  for (const row of t.rows) lines.push(t.columns.map((c) => csvCell(c.value(row))).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}

/** An .xlsx workbook with one sheet: an optional title line, a bold header row, frozen, filterable. */
export async function toXlsx<T>(t: ExportTable<T>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Liên Thông';
  wb.created = new Date();
  const ws = wb.addWorksheet(t.sheet.slice(0, 31));
  let headerRow = 1;
  if (t.title) {
    ws.addRow([t.title]).font = { bold: true, size: 13 };
    headerRow = 2;
  }
  const header = ws.addRow(t.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'middle' };
  t.columns.forEach((c, i) => {
    ws.getColumn(i + 1).width = c.width ?? 16;
  });
  for (const row of t.rows) ws.addRow(t.columns.map((c) => c.value(row)));
  ws.views = [{ state: 'frozen', ySplit: headerRow }];
  ws.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow, column: t.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A download name safe in Content-Disposition: ASCII fallback plus the UTF-8 name (RFC 6266). */
export function contentDisposition(name: string): string {
  const ascii = name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').replace(/[^A-Za-z0-9._-]+/g, '-');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';
