import { expect } from 'chai';
import { sustainedMaximum } from '../../../bench/src/stats';

describe('the maximum the open-loop phases are fractions of', () => {
  it('when the second measure is lower, then it is the one used; when higher, the first stays', () => {
    expect(sustainedMaximum(80.3, 66.1)).to.equal(66.1);
    expect(sustainedMaximum(66.1, 80.3)).to.equal(66.1);
  });

  it('when the second measure finished nothing, then the first is used rather than a maximum of 0', () => {
    expect(sustainedMaximum(72, 0)).to.equal(72);
  });
});
