import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A small real PDF made with pdf-lib: `pages` A4 pages with a line of ASCII text each. */
export async function makePdf(pages = 1, text = 'Lien Thong test document'): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.TimesRoman);
  for (let i = 0; i < pages; i++) {
    const page = pdf.addPage([595.28, 841.89]);
    page.drawText(`${text} - page ${i + 1}`, { x: 85, y: 780, size: 13, font });
  }
  return Buffer.from(await pdf.save());
}

export function metadataFor(recipients: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    documentType: 'CT',
    notation: 'CT-UBND',
    issuedOn: '2026-03-05',
    place: 'Đắk Lắk',
    subject: 'Về tiếp tục đẩy mạnh cải cách hành chính, nâng cao hiệu lực, hiệu quả quản lý của bộ máy nhà nước',
    signer: { authority: 'TM.', position: 'CHỦ TỊCH', fullName: 'Lữ Ngọc Cư' },
    urgency: 'normal',
    recipients,
    ...extra,
  };
}
