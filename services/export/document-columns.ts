import type { SearchItem } from '../../contracts';
import { DOCUMENT_STATUS_LABELS, dayVi, documentTypeLabel, instantVi, statusLabel, urgencyLabel } from '../labels/labels';
import type { ExportColumn } from './table-export';

/** The columns of an exported document list: the ones on the screen, in Vietnamese. */
export const DOCUMENT_COLUMNS: ExportColumn<SearchItem>[] = [
  { header: 'Số đến', width: 8, value: (r) => r.incomingNumber },
  { header: 'Số, ký hiệu', width: 18, value: (r) => `${r.number}/${r.notation}` },
  { header: 'Ngày ban hành', width: 12, value: (r) => dayVi(r.issuedOn) },
  { header: 'Loại văn bản', width: 14, value: (r) => documentTypeLabel(r.documentType) },
  { header: 'Trích yếu', width: 60, value: (r) => r.subject },
  { header: 'Cơ quan ban hành', width: 32, value: (r) => r.senderName },
  { header: 'Độ khẩn', width: 10, value: (r) => urgencyLabel(r.urgency) },
  { header: 'Hạn xử lý', width: 12, value: (r) => (r.dueOn ? dayVi(r.dueOn) : null) },
  { header: 'Trạng thái', width: 14, value: (r) => (r.box === 'in' ? statusLabel(r.status) : DOCUMENT_STATUS_LABELS[r.status] ?? r.status) },
  { header: 'Quá hạn', width: 8, value: (r) => (r.overdue ? 'Có' : '') },
  { header: 'Người xử lý', width: 20, value: (r) => r.handler },
  { header: 'Văn bản đến/đi', width: 10, value: (r) => (r.box === 'in' ? 'Đến' : 'Đi') },
  { header: 'Ngày đến, gửi', width: 17, value: (r) => instantVi(r.at) },
];
