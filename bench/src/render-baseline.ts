import type { RenderInput } from '../../services/render/render-input';
import { renderNaive } from '../baselines/naive-renderer';
import { renderOfficialDocument } from '../../services/render/render-official-document';
import { sampleBody } from './payloads';

/** renderOfficialDocument against the naive pdf-lib renderer, on the same structured document. */
export function renderers() {
  const input = {
    agency: { name: 'Ủy ban nhân dân tỉnh Đắk Lắk' },
    metadata: {
      documentType: 'CT',
      number: '15',
      notation: 'CT-UBND',
      issuedOn: '2026-11-28',
      place: 'Đắk Lắk',
      subject: 'Về tiếp tục đẩy mạnh cải cách hành chính, nâng cao hiệu lực, hiệu quả quản lý của bộ máy nhà nước',
      signer: { authority: 'TM.', position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' },
      urgency: 'normal',
      classification: 'normal',
      recipients: ['000.00.01.H15'],
    },
    body: sampleBody(),
  } as unknown as RenderInput;
  return { ours: () => renderOfficialDocument(input), baseline: () => renderNaive(input), input };
}
