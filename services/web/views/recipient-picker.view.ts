import type { DirectoryEntry, GroupEntry } from '../queries/directory.query';
import { fieldError } from './components';
import { html, type SafeHtml } from './html';

/**
 * Groups first ("Các sở, ban, ngành" in one click), then every agency. Without script it is a
 * plain list of checkboxes; app.js adds the search box that filters it.
 */
export function recipientPicker(o: { agencies: DirectoryEntry[]; groups: GroupEntry[]; self: string; chosen: string[]; errors: Record<string, string> }): SafeHtml {
  const chosen = new Set(o.chosen);
  return html`<fieldset class="card${o.errors.recipients ? ' has-error' : ''}" id="recipients-box"><legend>Nơi nhận</legend>
${fieldError(o.errors, 'recipients')}
<div class="groups">${o.groups.map(
  (g) => html`<label class="check group"><input type="checkbox" name="recipients" value="group:${g.id}"${chosen.has(`group:${g.id}`) ? html` checked` : ''}> <strong>${g.name}</strong> <span class="muted">(${g.members} cơ quan)</span></label>`,
)}</div>
<div class="field picker-search" hidden><label for="recipient-search">Tìm cơ quan</label><input id="recipient-search" type="search" placeholder="Gõ tên hoặc mã cơ quan" autocomplete="off"></div>
<div class="agency-list" role="group" aria-label="Cơ quan nhận">${o.agencies
  // Agencies known only through the national axis (the whole country: about 111,000) are not listed; systems address them by code.
  .filter((a) => a.code !== o.self && a.reachedVia !== 'axis')
  .map(
    (a) => html`<label class="check" data-search="${`${a.name} ${a.code}`.toLowerCase()}"><input type="checkbox" name="recipients" value="${a.code}"${chosen.has(a.code) ? html` checked` : ''}> ${a.name}${a.channel === 'paper' ? html` <span class="pill paper">giấy</span>` : ''}</label>`,
  )}</div>
</fieldset>`;
}
