import { expect } from 'chai';
import { codeMatches, codePatternProblem, matchesAny } from '../../../services/domain/peers/code-pattern';

describe('peer hubs: agency-code patterns (peer add --codes)', () => {
  it('`*` matches any run of characters and `?` one; dots are literal', () => {
    expect(codeMatches('*.H16', '000.00.00.H16')).to.equal(true);
    expect(codeMatches('*.H16', '000.00.00.H15')).to.equal(false);
    expect(codeMatches('000.00.??.T48', '000.00.12.T48')).to.equal(true);
    expect(codeMatches('000.00.??.T48', '000.00.123.T48')).to.equal(false);
    // A dot is a dot, not "any character".
    expect(codeMatches('000.00.00.H16', '000X00.00.H16')).to.equal(false);
    expect(matchesAny(['*.H16', 'G12.*'], 'G12.18.01')).to.equal(true);
    expect(matchesAny(['*.H16', 'G12.*'], 'G13.18.01')).to.equal(false);
  });

  it('refuses a pattern outside the code alphabet, and one that would match every code', () => {
    expect(codePatternProblem('*.H16')).to.equal(undefined);
    expect(codePatternProblem('*.h16')).to.match(/không phải mẫu mã/);
    expect(codePatternProblem('.*H16')).to.equal(undefined);
    expect(codePatternProblem('[A-Z]*')).to.match(/không phải mẫu mã/);
    expect(codePatternProblem('*')).to.match(/mọi mã cơ quan/);
    expect(codePatternProblem('*.*')).to.match(/mọi mã cơ quan/);
  });
});
