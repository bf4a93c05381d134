import type { EdocRateCounts } from '../../../contracts/http';
import type { HandlingSlipData } from '../../../services/domain/handling/handling-slip.pdf';
import { INCOMING_PDF_COLUMNS } from '../../../services/export/register-columns';
import type { TransmittalSlip } from '../../../services/paper-packet/transmittal-slip';
import type { QuarterlyReportData } from '../../../services/reports/quarterly-report.data';
import type { RegisterPdfInput } from '../../../services/reports/register.pdf';

/** Fixed inputs for the papers other than official documents: reports, registers, slips. */

const PRODUCED = new Date('2026-10-01T03:04:05Z');

function counts(electronic: number, paper: number, mixed: number): EdocRateCounts {
  const total = electronic + paper + mixed;
  const rate = total === 0 ? null : Math.round((electronic / total) * 10_000) / 10_000;
  return {
    electronic, paper, mixed, total, rate, dispatchRate: rate, dispatches: total * 2, electronicDispatches: electronic * 2, pending: 1,
    onTime: { dispatches: total, acknowledged: total, acknowledgedOnTime: electronic, acknowledgedOnTimeRate: rate, withDueDate: 4, completed: 3, completedOnTime: 3, completedOnTimeRate: 0.75 },
  };
}

/** A quarter with `agencyCount` agencies: 40 of them need more than one landscape page. */
export function quarterlyData(agencyCount = 40): QuarterlyReportData {
  const agencies = Array.from({ length: agencyCount }, (_, i) => {
    const c = counts(10 + i, i % 3, i % 2);
    return { ...c, key: `000.00.${String(i).padStart(2, '0')}.H15`, name: `Sở ngành số ${i + 1} thuộc Ủy ban nhân dân tỉnh Đắk Lắk`, target: 0.6, onTrack: (c.rate ?? 0) >= 0.6 };
  });
  return {
    year: 2026, quarter: 3, from: '2026-07-01', coversTo: '2026-09-30', final: true, producedAt: PRODUCED, target: 0.6,
    province: { ...counts(700, 40, 20), onTrack: true },
    agencies,
    months: [{ key: '2026-07', month: 7, rate: 0.5, total: 30 }, { key: '2026-08', month: 8, rate: 0.72, total: 40 }, { key: '2026-09', month: 9, rate: null, total: 0 }],
    ledgerHead: { id: 4242, hash: 'ab'.repeat(32) },
    anchors: [],
  };
}

/** An incoming register of `rows` entries: 60 of them need several pages. */
export function registerInput(rows = 60): RegisterPdfInput {
  return {
    agencyName: 'Sở Nội vụ',
    parentName: 'Ủy ban nhân dân tỉnh Đắk Lắk',
    title: 'SỔ ĐĂNG KÝ VĂN BẢN ĐẾN',
    bookName: 'Sổ văn bản đến chung',
    year: 2026,
    columns: INCOMING_PDF_COLUMNS,
    rows: Array.from({ length: rows }, (_, i) => [
      `0${(i % 9) + 1}/03/2026`, String(i + 1), `Ủy ban nhân dân huyện số ${i + 1}`, `${i + 1}/UBND-VP`, '02/03/2026',
      `Công văn: Về việc báo cáo kết quả cải cách hành chính đợt ${i + 1}${i % 4 === 0 ? ' và kế hoạch triển khai các nhiệm vụ trọng tâm của quý tiếp theo' : ''}`,
      'Phòng Tổng hợp', '', i === 7 ? 'Đã thu hồi' : '',
    ]),
    ranges: ['Từ ngày 01/01/2026 đến ngày 31/12/2026', 'Từ số 1 đến số 60'],
    printedLine: 'In bởi Nguyễn Văn Văn thư lúc 01/10/2026 10:04',
    producedAt: PRODUCED,
  };
}

export function transmittalSlip(): Omit<TransmittalSlip, 'pageCount'> {
  return {
    sender: { name: 'Sở Nội vụ', parentName: 'Ủy ban nhân dân tỉnh Đắk Lắk' },
    document: { number: '27', notation: 'CT-UBND', issuedOn: '2026-09-28', subject: 'Về tăng cường ứng dụng công nghệ thông tin trong hoạt động của cơ quan nhà nước', place: 'Đắk Lắk' },
    recipient: { code: '000.00.31.H15', name: 'Ủy ban nhân dân xã Ea Tu' },
    sentOn: '2026-10-01',
  };
}

export function handlingSlip(steps = 4): HandlingSlipData {
  const at = (h: number) => new Date(Date.UTC(2026, 8, 28, h, 5));
  return {
    agencyName: 'Sở Nội vụ', parentName: 'Ủy ban nhân dân tỉnh Đắk Lắk', incomingNumber: '125', arrivedAt: at(1), sender: 'Ủy ban nhân dân tỉnh Đắk Lắk',
    number: '27', notation: 'CT-UBND', issuedOn: '2026-09-28', subject: 'Về tăng cường ứng dụng công nghệ thông tin', urgency: 'flash',
    handling: {
      dispatchId: '00000000-0000-0000-0000-000000000001', agencyCode: '000.01.00.H15', stage: 'completed', deadlineOn: '2026-10-15',
      instruction: 'Giao Phòng Tổng hợp chủ trì, tham mưu báo cáo trước hạn.', leadDepartmentId: null, leadDepartmentName: 'Phòng Tổng hợp', leadUserId: null,
      handlerUserId: null, handlerName: 'Trần Thị Chuyên Viên', result: 'Đã báo cáo UBND tỉnh', completedAt: at(9),
      assignees: [{ role: 'lead', departmentId: null, userId: null, name: 'Phòng Tổng hợp' }, { role: 'support', departmentId: null, userId: null, name: 'Phòng Nghiệp vụ' }],
      steps: Array.from({ length: steps }, (_, i) => ({
        id: i + 1, at: at(2 + (i % 6)), actorName: `Người xử lý ${i + 1}`, actorRole: 'chuyên viên', kind: 'note' as const,
        note: `Ý kiến số ${i + 1}: đã rà soát và đề xuất phương án xử lý`, fileSha256: null, fileName: i === 0 ? 'bao-cao.txt' : null,
      })),
    },
    printedAt: PRODUCED,
  };
}
