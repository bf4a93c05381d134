// What a change found after a signature is called, in Vietnamese, and whether the certification
// signature's DocMDP permissions allow it (revision-diff.ts classifies the changes).

export type ChangeKind =
  | 'signature' | 'timestamp' | 'dss' | 'metadata' | 'form-fill' | 'annotation'
  | 'page-content' | 'page-resources' | 'page-tree' | 'catalog' | 'form-structure' | 'signature-replaced' | 'other'
  /** Outlines, Names trees, OpenAction, AA… (`entry` names which). */
  | 'catalog-entry'
  /** The XMP /Metadata stream, or the tagging structure: allowed without certification only. */
  | 'xmp-metadata' | 'structure-tags';

export interface Change {
  kind: ChangeKind;
  /** 1-based index of the revision that made it. */
  revision: number;
  page: number | null;
  objectNumber: number;
  /** The catalogue entry behind a 'catalog-entry' or 'catalog' change ("OpenAction", "Names/EmbeddedFiles", "Root", "xref"…), or the key of a page or form attribute. */
  entry?: string;
  allowed: boolean;
  /** The certification signature's DocMDP P when it alone forbids this change (form filling, annotations, signing). */
  forbiddenByDocMdp?: number;
  /** Vietnamese, e.g. "trang 1: nội dung bị thay đổi". */
  text: string;
}

/** What a change to one catalogue entry does to the document, in Vietnamese. */
function describeEntry(entry: string): string {
  switch (entry) {
    case 'OpenAction': return 'hành động tự chạy khi mở tài liệu (OpenAction) bị thêm hoặc sửa';
    case 'AA': return 'hành động tự động của tài liệu (AA) bị thêm hoặc sửa';
    case 'Names': return 'cây tên của tài liệu (Names) bị thay đổi';
    case 'Names/JavaScript': return 'mã JavaScript của tài liệu bị thêm hoặc sửa';
    case 'Names/EmbeddedFiles': return 'tệp nhúng trong tài liệu bị thêm hoặc sửa';
    case 'Names/Dests': return 'đích liên kết có tên (Dests) bị thay đổi';
    case 'Outlines': return 'mục lục (bookmark) của tài liệu bị thay đổi';
    case 'PageLabels': return 'nhãn số trang bị thay đổi';
    case 'OCProperties': return 'lớp nội dung ẩn/hiện (OCProperties) bị thay đổi';
    case 'URI': return 'địa chỉ gốc của các liên kết (URI) bị thay đổi';
    case 'Root': return 'danh mục gốc của tài liệu (/Root trong trailer) bị thay bằng đối tượng khác';
    case 'Encrypt': return 'từ điển mã hóa (/Encrypt trong trailer) bị thêm hoặc sửa';
    case 'xref': return 'chuỗi bảng tham chiếu chéo (xref, /Prev) của tệp không dẫn tới bản sửa đổi đã ký';
    default: return `mục ${entry} trong catalog của tài liệu bị thay đổi`;
  }
}

export function describe(kind: ChangeKind, page: number | null, n: number, entry?: string): string {
  const p = page ? `trang ${page}: ` : '';
  switch (kind) {
    case 'catalog-entry': return describeEntry(entry ?? '?');
    case 'xmp-metadata': return 'siêu dữ liệu XMP (Metadata) của tài liệu bị thay thế';
    case 'structure-tags': return 'cấu trúc thẻ của tài liệu (StructTreeRoot) bị thay đổi';
    case 'signature': return 'thêm chữ ký';
    case 'timestamp': return 'thêm dấu thời gian tài liệu';
    case 'dss': return 'thêm dữ liệu kiểm tra chữ ký (DSS)';
    case 'metadata': return 'thông tin mô tả tài liệu thay đổi';
    case 'form-fill': return 'điền biểu mẫu';
    case 'annotation': return `${p}thêm hoặc sửa chú thích`;
    case 'page-content': return entry ? `${p}thuộc tính /${entry} của trang (đối tượng ${n}) bị thay đổi` : `${p}nội dung bị thay đổi`;
    case 'page-resources': return `${p}tài nguyên trang (phông chữ, hình ảnh) bị thay đổi`;
    case 'page-tree': return 'thêm, bớt hoặc sắp xếp lại trang';
    case 'catalog': return entry ? describeEntry(entry) : 'cấu trúc tài liệu (catalog) bị thay đổi';
    case 'form-structure': return entry ? `mục /${entry} của biểu mẫu (đối tượng ${n}) bị thêm hoặc sửa` : 'thêm hoặc sửa trường biểu mẫu';
    case 'signature-replaced': return 'một chữ ký đã có bị thay thế';
    default: return `đối tượng ${n} bị thay đổi`;
  }
}

/**
 * DocMDP P: 1 no change at all, 2 form filling and signing, 3 also annotations; null (no
 * certification signature) like 3. DSS/VRI and document timestamps are allowed whatever P is
 * (ETSI EN 319 142-1 §5.4: DocMDP does not restrict them); a later signature is not under P = 1.
 */
export function allowedUnder(kind: ChangeKind, p: number | null): boolean {
  if (kind === 'timestamp' || kind === 'dss') return true;
  // objects no page, form or catalogue entry of the signed revision reaches do not change what it shows
  if (kind === 'metadata' || kind === 'other') return true;
  // see the head of revision-diff.ts: reported, allowed only without a certification signature
  if (kind === 'xmp-metadata' || kind === 'structure-tags') return p === null;
  const level = p ?? 3;
  if (kind === 'signature') return level >= 2;
  if (kind === 'form-fill') return level >= 2;
  if (kind === 'annotation') return level >= 3;
  return false;
}
