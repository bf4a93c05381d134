import { expect } from 'chai';
import { toTsQuery, toTsQueryForIndex } from '../../../services/domain/search/search-text';

describe('search words: the full tsquery and the part the index looks up', () => {
  it('when several words are typed, then the index looks up the whole words and the last word stays a prefix in the full query', () => {
    expect(toTsQuery('chuyển đổi số')).to.equal('chuyen & doi & so:*');
    expect(toTsQueryForIndex('chuyển đổi số')).to.equal('chuyen & doi');
  });

  it('when one word is typed, or the last word is an abbreviation or part of one, then the index looks up the whole query (null)', () => {
    expect(toTsQueryForIndex('cong')).to.equal(null);
    expect(toTsQueryForIndex('UBND')).to.equal(null);
    expect(toTsQuery('so ke hoach')).to.equal('so & kh');
    expect(toTsQueryForIndex('so ke hoach')).to.equal(null);
    expect(toTsQueryForIndex('   ')).to.equal(null);
  });

  it('when an abbreviation comes before the last word, then it stays in the index part', () => {
    expect(toTsQueryForIndex('UBND tinh')).to.equal('ubnd');
  });

  it('when an abbreviation or its full form is typed, then the query holds the abbreviation\'s one word (the index carries it for both forms), never a phrase', () => {
    expect(toTsQuery('UBND')).to.equal('ubnd');
    expect(toTsQuery('Ủy ban nhân dân tỉnh')).to.equal('ubnd & tinh:*');
    expect(toTsQuery('kế hoạch tổ chức')).to.equal('kh & to & chuc:*');
    expect(toTsQuery('cải cách hành chính')).to.equal('cchc');
    expect(toTsQuery('uy ban nhan')).to.equal('uy & ban & nhan:*');
    expect(toTsQuery('thông tư liên tịch số')).to.equal('ttlt & so:*');
  });
});
