import type { IncomingEntry, OutgoingEntry } from '../domain/registers/register-entries';
import type { HeadedColumn as Column } from '../render/layout/table';
import { dayVi, documentTypeLabel } from '../labels/labels';
import type { ExportColumn } from './table-export';

// Decree 30/2020/NĐ-CP, Appendix IV: the columns of the incoming and outgoing registers.

export const INCOMING_COLUMNS: ExportColumn<IncomingEntry>[] = [
  { header: 'Ngày đến', width: 12, value: (r) => dayVi(r.registeredOn) },
  { header: 'Số đến', width: 8, value: (r) => r.incomingNumber },
  { header: 'Tác giả', width: 30, value: (r) => r.author },
  { header: 'Số, ký hiệu', width: 18, value: (r) => r.numberNotation },
  { header: 'Ngày tháng', width: 12, value: (r) => dayVi(r.issuedOn) },
  { header: 'Tên loại và trích yếu nội dung', width: 60, value: (r) => `${documentTypeLabel(r.documentType)}: ${r.subject}` },
  { header: 'Đơn vị hoặc người nhận', width: 22, value: (r) => r.handler },
  { header: 'Ký nhận', width: 10, value: () => null },
  { header: 'Ghi chú', width: 14, value: () => null },
];

export const OUTGOING_COLUMNS: ExportColumn<OutgoingEntry>[] = [
  { header: 'Số, ký hiệu văn bản', width: 18, value: (r) => r.numberNotation },
  { header: 'Ngày tháng văn bản', width: 12, value: (r) => dayVi(r.issuedOn) },
  { header: 'Tên loại và trích yếu nội dung văn bản', width: 60, value: (r) => `${documentTypeLabel(r.documentType)}: ${r.subject}` },
  { header: 'Người ký', width: 26, value: (r) => r.signer },
  { header: 'Nơi nhận văn bản', width: 40, value: (r) => r.recipients },
  { header: 'Đơn vị, người nhận bản lưu', width: 18, value: () => null },
  { header: 'Số lượng bản', width: 8, value: (r) => r.copies },
  { header: 'Ghi chú', width: 14, value: (r) => (r.status === 'revoked' ? 'Đã thu hồi' : null) },
];

export const INCOMING_PDF_COLUMNS: Column[] = [
  { header: 'Ngày đến', width: 56, align: 'center' },
  { header: 'Số đến', width: 40, align: 'center' },
  { header: 'Tác giả', width: 110, align: 'left' },
  { header: 'Số, ký hiệu', width: 80, align: 'left' },
  { header: 'Ngày tháng', width: 56, align: 'center' },
  { header: 'Tên loại và trích yếu nội dung', width: 210, align: 'left' },
  { header: 'Đơn vị hoặc người nhận', width: 95, align: 'left' },
  { header: 'Ký nhận', width: 56, align: 'left' },
  { header: 'Ghi chú', width: 58.89, align: 'left' },
];

export const OUTGOING_PDF_COLUMNS: Column[] = [
  { header: 'Số, ký hiệu văn bản', width: 80, align: 'left' },
  { header: 'Ngày tháng văn bản', width: 58, align: 'center' },
  { header: 'Tên loại và trích yếu nội dung văn bản', width: 205, align: 'left' },
  { header: 'Người ký', width: 95, align: 'left' },
  { header: 'Nơi nhận văn bản', width: 130, align: 'left' },
  { header: 'Đơn vị, người nhận bản lưu', width: 80, align: 'left' },
  { header: 'Số lượng bản', width: 40, align: 'center' },
  { header: 'Ghi chú', width: 73.89, align: 'left' },
];

const cell = (v: string | number | null): string => (v === null ? '' : String(v));

export function incomingPdfRows(rows: IncomingEntry[]): string[][] {
  return rows.map((r) => INCOMING_COLUMNS.map((c) => cell(c.value(r))));
}

export function outgoingPdfRows(rows: OutgoingEntry[]): string[][] {
  return rows.map((r) => OUTGOING_COLUMNS.map((c) => cell(c.value(r))));
}
