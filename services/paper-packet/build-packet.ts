import { PDFDocument } from 'pdf-lib';
import { drawTransmittalSlip, type TransmittalSlip } from './transmittal-slip';

/**
 * The print-ready packet of a paper dispatch: the transmittal slip, then every page of the signed
 * document. Copying pages out of the signed PDF drops its signature: that is intended. The packet
 * is for printing; the printed copy is not the signed file (the signed PDF stays the document of
 * record, and the paper copy gets its wet signature and seal at the sending agency).
 */
export async function buildPaperPacket(signedPdf: Uint8Array, slip: Omit<TransmittalSlip, 'pageCount'>, producedAt: Date): Promise<{ bytes: Buffer; pages: number }> {
  const source = await PDFDocument.load(signedPdf, { updateMetadata: false });
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Phiếu gửi ${slip.document.number}/${slip.document.notation} – ${slip.recipient.name}`);
  pdf.setLanguage('vi-VN');
  pdf.setCreator('Liên Thông');
  pdf.setCreationDate(producedAt);
  pdf.setModificationDate(producedAt);
  await drawTransmittalSlip(pdf, { ...slip, pageCount: source.getPageCount() });
  const copied = await pdf.copyPages(source, source.getPageIndices());
  for (const page of copied) pdf.addPage(page);
  return { bytes: Buffer.from(await pdf.save({ useObjectStreams: true })), pages: pdf.getPageCount() };
}
