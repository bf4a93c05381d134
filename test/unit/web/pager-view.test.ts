import { expect } from 'chai';
import { pager } from '../../../services/web/views/pager.view';

const page = (total: number, totalExact?: boolean) => ({ items: [1, 2, 3], total, nextCursor: 'c', prevCursor: null, ...(totalExact === undefined ? {} : { totalExact }) });

describe('the pager: the honest count, and a broad search said as "at least" with the way to the exact count', () => {
  it('when the total is exact, then it reads "3 / 1.234 văn bản" and offers no exact count', () => {
    const h = pager('/search', { q: 'ubnd' }, page(1234, true), 50).value;
    expect(h).to.include('<strong>1.234</strong> văn bản');
    expect(h).to.not.include('count=exact');
    expect(pager('/inbox', {}, page(7), 50).value).to.include('<strong>7</strong> văn bản');
  });

  it('when the total is a lower bound, then it reads "ít nhất", says the order, and links the same search with count=exact', () => {
    const h = pager('/search', { q: 'ubnd', box: 'in' }, page(2001, false), 20).value;
    expect(h).to.include('ít nhất 2.001');
    expect(h).to.include('mới nhất trước');
    expect(h).to.match(/href="\/search\?q=ubnd&amp;box=in&amp;limit=20&amp;count=exact"/);
    expect(h).to.include('data-total-exact="false"');
  });
});
