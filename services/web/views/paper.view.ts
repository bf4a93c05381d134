import type { Response } from 'express';
import { DOCUMENT_TYPES } from '../../../contracts';
import type { DirectoryEntry, GroupEntry } from '../queries/directory.query';
import { describedBy, fieldError } from './components';
import { html, type SafeHtml } from './html';
import { csrfField, page } from './layout.view';
import { recipientPicker } from './recipient-picker.view';

export type PaperValues = Record<'documentType' | 'number' | 'notation' | 'issuedOn' | 'subject' | 'sentOn', string> & { recipients: string[] };

export function paperPage(
  res: Response,
  d: { values: PaperValues; errors: Record<string, string>; agencies: DirectoryEntry[]; groups: GroupEntry[]; self: string; recorded?: string | undefined },
): SafeHtml {
  const { values: v, errors: e } = d;
  const input = (name: keyof PaperValues, label: string, type = 'text') =>
    html`<div class="field${e[name] ? ' has-error' : ''}"><label for="${name}">${label}</label><input id="${name}" name="${name}" type="${type}" value="${String(v[name])}" required${describedBy(e, name)}>${fieldError(e, name)}</div>`;
  return page(res, {
    title: 'Ghi nhận văn bản gửi giấy',
    active: '/paper',
    flash: d.recorded ? { kind: 'ok', text: `Đã ghi nhận văn bản gửi giấy số ${d.recorded}.` } : e.form ? { kind: 'error', text: e.form } : undefined,
    body: html`<h1>Ghi nhận văn bản gửi giấy</h1>
<p class="hint">Văn bản đã gửi bằng đường bưu chính, không qua hệ thống: ghi nhận để tỷ lệ văn bản điện tử được tính đúng.</p>
<form method="post" action="/paper" novalidate>${csrfField(res)}
<fieldset class="card"><legend>Văn bản</legend><div class="grid">
<div class="field"><label for="documentType">Loại văn bản</label><select id="documentType" name="documentType">${Object.entries(DOCUMENT_TYPES).map(
  ([code, name]) => html`<option value="${code}"${v.documentType === code ? html` selected` : ''}>${name}</option>`,
)}</select></div>
${input('number', 'Số')}${input('notation', 'Ký hiệu')}${input('issuedOn', 'Ngày ban hành', 'date')}${input('sentOn', 'Ngày gửi', 'date')}
</div>
<div class="field${e.subject ? ' has-error' : ''}"><label for="subject">Trích yếu</label><textarea id="subject" name="subject" rows="2" required${describedBy(e, 'subject')}>${v.subject}</textarea>${fieldError(e, 'subject')}</div>
</fieldset>
${recipientPicker({ agencies: d.agencies, groups: d.groups, self: d.self, chosen: v.recipients, errors: e })}
<div class="form-actions"><button type="submit" class="primary">Ghi nhận</button></div>
</form>`,
  });
}
