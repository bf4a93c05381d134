import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../services/config/project-root';
import type { Block, Body } from '../../../services/render/body.schema';
import type { RenderInput } from '../../../services/render/render-input';

/** The founding directive (Chỉ thị 15/CT-UBND, Đắk Lắk, 2012) as the user wrote it. */
export function directiveText(): string {
  return fs.readFileSync(path.join(projectRoot(), 'test/fixtures/render/directive.txt'), 'utf8');
}

/**
 * Turns the directive's plain text into a structured body: "1." items, "a)"/"đ)" sub-items, dash
 * lines under them, plain paragraphs, and the "Nơi nhận:" list whose last line becomes `copies`.
 * The first lines are the type name and the subject (returned separately).
 */
export function directiveBody(text = directiveText()): { subject: string; body: Body } {
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\s+/g, ' ').trim());
  const typeAt = lines.findIndex((l) => l === 'CHỈ THỊ');
  const blankAfterSubject = lines.findIndex((l, i) => i > typeAt && l === '');
  const subject = lines.slice(typeAt + 1, blankAfterSubject).join(' ');
  const recipientsAt = lines.findIndex((l) => l === 'Nơi nhận:');

  const blocks: Block[] = [];
  for (const line of lines.slice(blankAfterSubject, recipientsAt)) {
    if (line === '') continue;
    const numbered = /^(\d+\.)\s+(.*)$/.exec(line);
    const lettered = /^([a-zđ]\))\s+(.*)$/u.exec(line);
    const dashed = /^-\s+(.*)$/.exec(line);
    if (numbered?.[1] && numbered[2] !== undefined) blocks.push({ type: 'item', label: numbered[1], text: numbered[2], level: 1 });
    else if (lettered?.[1] && lettered[2] !== undefined) blocks.push({ type: 'item', label: lettered[1], text: lettered[2], level: 2 });
    else if (dashed?.[1] !== undefined) blocks.push({ type: 'item', label: '-', text: dashed[1], level: 2 });
    else blocks.push({ type: 'paragraph', text: line });
  }

  const listed = lines.slice(recipientsAt + 1).filter((l) => l.startsWith('-'));
  const last = listed.pop() ?? '- Lưu: VT.';
  const copies = last.replace(/^-\s*/, '').replace(/^Lưu:?\s*/, 'Lưu: ');
  return { subject, body: { blocks, recipientsText: listed, copies } };
}

export function directiveInput(): RenderInput {
  const { subject, body } = directiveBody();
  return {
    agency: { name: 'Ủy ban nhân dân tỉnh Đắk Lắk' },
    metadata: {
      documentType: 'CT',
      number: '15',
      notation: 'CT-UBND',
      issuedOn: '2012-03-05',
      place: 'Đắk Lắk',
      subject,
      signer: { authority: 'TM.', position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' },
      urgency: 'normal',
      classification: 'normal',
      recipients: ['000.00.01.H15'],
    },
    body,
  };
}

/** A one-page official document, for rate measurements and quick checks. */
export function onePageInput(): RenderInput {
  const input = directiveInput();
  return { ...input, body: { ...input.body, blocks: input.body.blocks.slice(0, 3), recipientsText: input.body.recipientsText?.slice(0, 5) } };
}
