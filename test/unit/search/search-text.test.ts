import { expect } from 'chai';
import { toTsQuery, toTsQueryForIndex } from '../../../services/domain/search/search-text';
import { frequenciesFrom } from '../../../services/domain/search/word-frequencies';

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

describe('search words with the index\'s statistics: the index is asked for the rarest words', () => {
  const freq = frequenciesFrom(
    ['so', 'soan', 'tu', 've', 'bao', 'moi', 'truong', 'dau', 'cong', 'tuyen', 'dung', 'chuc', 'kh', 'to', 'noi', 'vu', 'hiem'],
    [1, 0.1, 1, 0.62, 0.43, 0.25, 0.063, 0.54, 0.4, 0.065, 0.56, 0.21, 0.59, 0.28, 0.7, 0.7, 0.002],
  );

  it('when common words surround a rare one, then only the rare one and those in at most 30% of documents go to the index', () => {
    expect(toTsQueryForIndex('tuyển dụng công chức', freq)).to.equal('tuyen');
    expect(toTsQueryForIndex('bảo vệ môi trường', freq)).to.equal('moi');
    expect(toTsQueryForIndex('đầu tư công', freq)).to.equal('dau');
    expect(toTsQueryForIndex('kế hoạch tổ chức', freq)).to.equal('to');
  });

  it('when the last word\'s prefix is rare (under 1%, 3 letters or more), then it goes to the index; a common or short one never does', () => {
    expect(toTsQueryForIndex('bảo xyzabc', freq)).to.equal('xyzabc:*');
    expect(toTsQueryForIndex('bảo vệ môi trường', freq)).to.not.include('truong');
    expect(toTsQueryForIndex('chuyen doi so', freq)).to.equal('chuyen & doi');
    expect(toTsQueryForIndex('noi vu', freq)).to.equal('noi');
    expect(toTsQueryForIndex('cong xy', freq)).to.equal('cong');
  });

  it('when every word is rare, then the index takes the whole query (null), and one word is always the whole query', () => {
    expect(toTsQueryForIndex('thi dua khen', freq)).to.equal(null);
    expect(toTsQueryForIndex('cong', freq)).to.equal(null);
    expect(toTsQueryForIndex('UBND', freq)).to.equal(null);
  });
});
