import { expect } from 'chai';
import { DomainError } from '../../../services/domain/errors/domain-error';
import { authorizeFigures, authorizeProvinceReport } from '../../../services/stats/stats-access';

describe('who may read figures: monitors everything, an agency its own', () => {
  const clerk = { agencyCode: 'A.1', scopes: [] };
  const monitor = { agencyCode: 'M.1', scopes: ['monitor'] };

  function forbidden(fn: () => unknown): void {
    try {
      fn();
    } catch (err) {
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal('FORBIDDEN');
      return;
    }
    expect.fail('expected FORBIDDEN');
  }

  it('when an agency asks for its own code, then it gets its own figures', () => {
    expect(authorizeFigures(clerk, 'A.1')).to.equal('A.1');
  });

  it('when an agency names no agency, then it gets its own figures (not the province)', () => {
    expect(authorizeFigures(clerk, undefined)).to.equal('A.1');
  });

  it('when an agency asks for another agency, a group or the province report, then it is refused', () => {
    forbidden(() => authorizeFigures(clerk, 'B.2'));
    forbidden(() => authorizeFigures(clerk, 'group:districts'));
    forbidden(() => authorizeProvinceReport(clerk));
  });

  it('when a monitor asks for anything, then it is allowed', () => {
    expect(authorizeFigures(monitor, undefined)).to.equal(null);
    expect(authorizeFigures(monitor, 'B.2')).to.equal('B.2');
    expect(authorizeFigures(monitor, 'group:districts')).to.equal('group:districts');
    expect(() => authorizeProvinceReport(monitor)).not.to.throw();
  });
});
