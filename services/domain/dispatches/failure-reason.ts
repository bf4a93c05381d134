/** Where a copy stopped: the document's stage (convert, sign, route) or its own delivery. */
export type FailedStage = 'convert' | 'sign' | 'route' | 'deliver';

export const FAILED_STAGES: readonly FailedStage[] = ['convert', 'sign', 'route', 'deliver'];

export const STAGE_LABELS_VI: Record<FailedStage, string> = {
  convert: 'Chuyển định dạng',
  sign: 'Ký số',
  route: 'Định tuyến',
  deliver: 'Gửi tới nơi nhận',
};

/**
 * A failure as an operator reads it: what went wrong, in Vietnamese, and what to do. Errors the
 * pipeline writes in Vietnamese already (the push transport's) are kept; the known English ones
 * (older rows, library messages) are explained; anything else is shown as it is, after the stage.
 */
export function failureReasonVi(stage: FailedStage, lastError: string | null): string {
  const e = lastError ?? '';
  if (/no valid signing certificate/i.test(e)) {
    return 'Cơ quan gửi chưa có chứng thư số còn hiệu lực. Cấp hoặc nhập chứng thư (lienthong pki issue|import --agency …), rồi bấm "Gửi lại".';
  }
  if (/retry budget spent|đã thử \d+ lần/i.test(e)) {
    const last = /(?:last error|lỗi cuối): (.*)$/s.exec(e)?.[1] ?? e;
    return `Hết thời gian thử gửi (24 giờ). Lỗi cuối: ${last}. Sửa điểm nhận của cơ quan nhận rồi bấm "Gửi lại".`;
  }
  if (/has no push endpoint|chưa có địa chỉ điểm nhận/i.test(e)) return 'Cơ quan nhận chưa có địa chỉ điểm nhận (agency update --endpoint).';
  if (stage === 'convert') return `Không chuyển được tệp sang PDF: ${e || 'không rõ lỗi'}. Gửi lại tệp khác hoặc bấm "Gửi lại" sau khi khắc phục.`;
  if (stage === 'sign') return `Không ký số được văn bản: ${e || 'không rõ lỗi'}.`;
  if (stage === 'route') return `Không định tuyến được văn bản: ${e || 'không rõ lỗi'}.`;
  return e ? `Không gửi được: ${e}` : 'Không gửi được (không rõ lỗi).';
}
