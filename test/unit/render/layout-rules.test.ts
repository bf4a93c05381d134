import { expect } from 'chai';
import type { Block } from '../../../services/render/body.schema';
import { renderOfficialDocument } from '../../../services/render/render-official-document';
import { type RenderInput, RenderInputError } from '../../../services/render/render-input';
import { directiveInput } from './directive-fixture';
import { flat, missingInOrder, pdfinfo, pdftotext } from './poppler-tools';

function withBody(blocks: Block[], extra: Partial<RenderInput['body']> = {}): RenderInput {
  const base = directiveInput();
  return { ...base, body: { ...base.body, ...extra, blocks } };
}

function pageText(pdf: Buffer, page: number): string {
  return flat(pdftotext(pdf, ['-f', String(page), '-l', String(page), '-layout']));
}

const SENTENCE = 'Các cơ quan, đơn vị triển khai thực hiện nghiêm túc, báo cáo kết quả đúng hạn theo quy định hiện hành của Ủy ban nhân dân tỉnh.';

describe('when official documents of other shapes are rendered', () => {
  it('when it is a công văn, then the subject sits under the number as "V/v …" and no type name is printed', async () => {
    const input = directiveInput();
    input.metadata = { ...input.metadata, documentType: 'CV', notation: 'UBND-TH', subject: 'Về việc báo cáo kết quả cải cách hành chính quý I', urgency: 'flash' };
    const { pdf } = await renderOfficialDocument(input);
    const text = flat(pdftotext(pdf, []));
    expect(missingInOrder(text, ['Số: 15/UBND-TH', 'V/v Về việc báo cáo kết quả cải cách', 'HỎA TỐC'])).to.deep.equal([]);
    expect(text).not.to.include('CÔNG VĂN');
    expect(text).not.to.include('CHỈ THỊ');
  });

  it('when the clerk already typed "V/v" in the subject of a công văn, then it is printed once', async () => {
    const input = directiveInput();
    input.metadata = { ...input.metadata, documentType: 'CV', notation: 'UBND-TH', subject: 'V/v báo cáo kết quả cải cách hành chính quý IV' };
    const text = flat(pdftotext((await renderOfficialDocument(input)).pdf, []));
    expect(text).to.include('V/v báo cáo kết quả');
    expect(text).not.to.match(/V\/v\s+V\/v/);
  });

  it('when the agency has a parent, then the parent is printed above it in capitals', async () => {
    const input = directiveInput();
    input.agency = { name: 'Sở Nội vụ', parentName: 'Ủy ban nhân dân tỉnh Đắk Lắk' };
    input.metadata = { ...input.metadata, signer: { authority: 'KT.', position: 'Phó Giám đốc', fullName: 'Nguyễn Văn A' } };
    const text = flat(pdftotext((await renderOfficialDocument(input)).pdf, []));
    expect(missingInOrder(text, ['ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK', 'SỞ NỘI VỤ', 'Số: 15/CT-UBND'])).to.deep.equal([]);
    expect(missingInOrder(text, ['KT. GIÁM ĐỐC', 'PHÓ GIÁM ĐỐC', 'Nguyễn Văn A'])).to.deep.equal([]);
  });

  it('when a table is given, then every cell is printed and a row taller than a page continues on the next', async () => {
    // Four columns of ~1900 characters: about 110 lines each, taller than a page.
    const long = (c: string) => Array.from({ length: 190 }, (_, i) => `${c}${i}`).join(' chữ ');
    const rows = [
      ['STT', 'Đơn vị', 'Tỷ lệ văn bản điện tử', 'Ghi chú'],
      ['1', 'Sở Nội vụ', '62%', 'Đạt'],
      [long('a'), long('b'), long('c'), long('d')],
    ];
    const { pdf, pageCount } = await renderOfficialDocument(withBody([{ type: 'paragraph', text: SENTENCE }, { type: 'table', rows }]));
    const text = flat(pdftotext(pdf, []));
    expect(missingInOrder(text, ['STT', 'Đơn vị', 'Tỷ lệ văn bản điện tử', 'Ghi chú', 'Sở Nội vụ', '62%', 'Đạt'])).to.deep.equal([]);
    for (const c of 'abcd') {
      const markers = Array.from({ length: 190 }, (_, i) => `${c}${i} `);
      expect(markers.filter((m) => !`${text} `.includes(m)), c).to.deep.equal([]);
    }
    expect(pageCount).to.be.greaterThan(2);
    expect(text).to.include('Lữ Ngọc Cư');
  });

  it('when a word is longer than a line, then it is cut across lines and nothing is lost', async () => {
    const word = 'X'.repeat(60) + 'Ắ'.repeat(60) + 'Y'.repeat(60);
    const { pdf } = await renderOfficialDocument(withBody([{ type: 'paragraph', text: `Mã: ${word} hết.` }]));
    expect(pdftotext(pdf).replace(/\s+/g, '')).to.include(`Mã:${word}hết.`);
  });

  it('when the recipients list is longer than a page, then it continues and the signer is still printed once', async () => {
    const recipientsText = Array.from({ length: 120 }, (_, i) => `- Ủy ban nhân dân xã số ${i + 1} thuộc huyện Krông Pắc, tỉnh Đắk Lắk;`);
    const { pdf, pageCount } = await renderOfficialDocument(withBody([{ type: 'paragraph', text: SENTENCE }], { recipientsText }));
    const text = flat(pdftotext(pdf));
    expect(missingInOrder(text, ['Nơi nhận:', 'xã số 1 ', 'xã số 120', '- Lưu: VT'])).to.deep.equal([]);
    expect(text.split('Lữ Ngọc Cư')).to.have.length(2);
    expect(pdfinfo(pdf).pages).to.equal(pageCount).and.to.be.greaterThan(2);
  });

  it('when the body grows paragraph by paragraph, then the signer block never starts a page without body text', async () => {
    let breaks = 0;
    let previousPages = 1;
    for (let n = 8; n <= 26; n++) {
      const blocks: Block[] = Array.from({ length: n }, (_, i) => ({ type: 'paragraph', text: `${SENTENCE} Mục ${i + 1}-kết.` }));
      const { pdf, pageCount } = await renderOfficialDocument(withBody(blocks, { recipientsText: ['- Như trên;', '- TT HĐND tỉnh;'] }));
      const last = pageText(pdf, pageCount);
      expect(last, `${n} paragraphs`).to.include('Nơi nhận:');
      expect(last, `${n} paragraphs`).to.include(`Mục ${n}-kết.`);
      if (pageCount > previousPages) breaks++;
      previousPages = pageCount;
    }
    expect(breaks, 'the sweep crossed a page boundary').to.be.at.least(1);
  });

  it('when the body or the date is not valid, then a RenderInputError says why', async () => {
    const noBlocks = withBody([]);
    await expectRejection(renderOfficialDocument(noBlocks), /blocks/);
    const tooLong = withBody([{ type: 'paragraph', text: 'a'.repeat(20_001) }]);
    await expectRejection(renderOfficialDocument(tooLong), /blocks\.0\.text/);
    const badDate = directiveInput();
    badDate.metadata = { ...badDate.metadata, issuedOn: '2012-02-30' };
    await expectRejection(renderOfficialDocument(badDate), /2012-02-30/);
  });
});

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (e) {
    expect(e).to.be.instanceOf(RenderInputError);
    expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a RenderInputError');
}
