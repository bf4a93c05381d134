import { expect } from 'chai';
import { pairedRatio } from '../../../bench/src/stats';

describe('a ratio of two rates measured in alternating rounds', () => {
  it('when the machine slows between pairs, then each pair still gives the same ratio and so does their median', () => {
    // The empty database at 800, 600, 700/s as the machine moves; the full one 10% below each time.
    expect(pairedRatio([800, 600, 700], [720, 540, 630])).to.be.closeTo(0.9, 1e-9);
  });

  it('when one pair is off, then the median of the pairs is not moved by it as far as a ratio of medians would be', () => {
    const r = pairedRatio([800, 800, 800], [720, 400, 760]);
    expect(r).to.equal(0.9);
  });

  it('when a round measured nothing, then its pair is left out; with no pair at all there is no ratio', () => {
    expect(pairedRatio([0, 500], [300, 450])).to.equal(0.9);
    expect(pairedRatio([], [])).to.equal(null);
    expect(pairedRatio([0], [10])).to.equal(null);
  });
});
