import { expect } from 'chai';
import { classifyDocument, countedCopies, electronicCopies, type DocumentOutcomes } from '../../../services/stats/classify-document';

const doc = (o: Partial<DocumentOutcomes>): DocumentOutcomes => ({ copies: 2, delivered: 0, paper: 0, failed: 0, signed: true, pipelineFailed: false, ...o });

describe('classifying a document: electronic, paper, mixed or still pending (design §5)', () => {
  it('when a signed document reached every recipient electronically, then it is electronic', () => {
    expect(classifyDocument(doc({ delivered: 2 }))).to.equal('electronic');
    expect(electronicCopies(doc({ delivered: 2 }))).to.equal(2);
  });

  it('when every copy went on paper, then it is paper', () => {
    expect(classifyDocument(doc({ paper: 2, signed: false }))).to.equal('paper');
  });

  it('when some copies went on paper, or one failed, then it is mixed', () => {
    expect(classifyDocument(doc({ delivered: 1, paper: 1 }))).to.equal('mixed');
    expect(classifyDocument(doc({ delivered: 1, failed: 1 }))).to.equal('mixed');
    expect(electronicCopies(doc({ delivered: 1, failed: 1 }))).to.equal(1);
  });

  it('when a copy failed while another is still on its way, then it is already mixed and counts all its copies', () => {
    const o = doc({ copies: 3, delivered: 1, failed: 1 });
    expect(classifyDocument(o)).to.equal('mixed');
    expect(countedCopies(o)).to.equal(3);
  });

  it('when delivered without a signature, then neither the document nor its copies are electronic', () => {
    expect(classifyDocument(doc({ delivered: 2, signed: false }))).to.equal('mixed');
    expect(electronicCopies(doc({ delivered: 2, signed: false }))).to.equal(0);
  });

  it('when the document failed in the pipeline, then it is mixed: it had to go and did not', () => {
    expect(classifyDocument(doc({ pipelineFailed: true, signed: false }))).to.equal('mixed');
  });

  it('when a copy has no outcome yet and nothing failed, then it is pending', () => {
    expect(classifyDocument(doc({ delivered: 1 }))).to.equal('pending');
    expect(classifyDocument(doc({}))).to.equal('pending');
  });
});
