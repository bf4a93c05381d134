import { expect } from 'chai';
import { JsonSubmission } from '../../../contracts';
import { openApiDocument } from '../../../services/gateway/openapi/openapi-document';
import { fromJson } from '../../../services/http/parsing/submission.parser';

const metadata = {
  documentType: 'CV',
  notation: 'UBND-VP',
  issuedOn: '2026-11-28',
  place: 'Đắk Lắk',
  subject: 'Thử nghiệm',
  signer: { authority: 'TL.', position: 'CHÁNH VĂN PHÒNG', fullName: 'Nguyễn Văn Mẫu' },
  recipients: ['000.00.01.H15'],
};

describe('the JSON submission: one schema in contracts, the OpenAPI generated from it', () => {
  it('when the OpenAPI document is built, then its JSON request body is the contract schema, with the limits the parser enforces', () => {
    const content = (openApiDocument() as any).paths['/v1/documents'].post.requestBody.content['application/json'];
    const file = content.schema.anyOf[0].properties.files.items;
    expect(file.properties.name).to.include({ minLength: 1, maxLength: 255 });
    expect(file.properties.contentBase64.pattern).to.be.a('string');
    expect(file.additionalProperties).to.equal(false);
    expect(content.schema.anyOf[1].required).to.deep.equal(['metadata', 'body']);
  });

  it('when a file name is empty or its base64 is not base64, then the contract and the gateway both refuse it', () => {
    for (const bad of [{ name: '', contentBase64: 'JVBERi0=' }, { name: 'a.pdf', contentBase64: '%%%' }]) {
      expect(JsonSubmission.safeParse({ metadata, files: [bad] }).success).to.equal(false);
      expect(() => fromJson({ metadata, files: [bad] }, 5, 1 << 20)).to.throw();
    }
    expect(JsonSubmission.safeParse({ metadata, files: [{ name: 'a.pdf', contentBase64: 'JVBERi0=' }] }).success).to.equal(true);
  });
});
