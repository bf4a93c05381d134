import { expect } from 'chai';
import { compareJsonbKeys, detailKeyOrders, jsonbOrdered } from '../../../services/domain/ledger/ledger-detail';
import { csvField } from '../../../services/reports/quarterly-report.csv';
import { formatCount, formatPercent, quarterTitle } from '../../../services/reports/report-format';

describe('report formatting and ledger detail ordering', () => {
  it('when numbers are shown in Vietnamese, then decimals take a comma and thousands a dot', () => {
    expect(formatPercent(2 / 3)).to.equal('66,67%');
    expect(formatPercent(null)).to.equal('–');
    expect(formatCount(1234567)).to.equal('1.234.567');
    expect(quarterTitle(2026, 4)).to.equal('QUÝ IV NĂM 2026');
  });

  it('when a CSV cell holds a comma, a quote or a formula, then it is quoted or defused', () => {
    expect(csvField('Sở Nội vụ, tỉnh')).to.equal('"Sở Nội vụ, tỉnh"');
    expect(csvField('say "hi"')).to.equal('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).to.equal('"\'=HYPERLINK(""x"")"');
    expect(csvField('0.6667')).to.equal('0.6667');
  });

  it('when a detail is ordered for jsonb, then keys go shorter first, then bytewise', () => {
    const d = jsonbOrdered({ number: '15', notation: 'CT-UBND', year: 2026, recipients: 2, sentOn: 'x' });
    expect(Object.keys(d)).to.deep.equal(['year', 'number', 'sentOn', 'notation', 'recipients']);
    expect(compareJsonbKeys('b', 'aa')).to.be.lessThan(0);
  });

  it('when key orders are enumerated for verification, then every other order comes once', () => {
    const orders = [...detailKeyOrders({ a: 1, b: 2, c: 3 })].map((o) => Object.keys(o as object).join(''));
    expect(orders).to.deep.equal(['acb', 'bac', 'bca', 'cab', 'cba']);
    expect([...detailKeyOrders({})]).to.deep.equal([]);
  });
});
