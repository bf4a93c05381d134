import { expect } from 'chai';
import { DispatchStatus, DocumentStatus, Stage } from '../../../contracts';
import { projectRoot } from '../../../services/config/project-root';
import { filesSpelling } from '../../support/source-files';
import { IN_FLIGHT_DOCUMENT_STATUSES, OPEN_DISPATCH_STATUSES, stageAwaitedIn, statusBefore } from '../../../services/pipeline/stage-order';


describe('pipeline: the in-flight statuses are defined once', () => {
  it('when the in-flight document statuses are read, then they are exactly those that await a stage, in pipeline order', () => {
    expect(IN_FLIGHT_DOCUMENT_STATUSES).to.deep.equal([DocumentStatus.accepted, DocumentStatus.converted, DocumentStatus.signed]);
    for (const s of Object.values(DocumentStatus)) expect(IN_FLIGHT_DOCUMENT_STATUSES.includes(s), s).to.equal(stageAwaitedIn(s) !== undefined);
    expect(OPEN_DISPATCH_STATUSES).to.deep.equal([DispatchStatus.pending, DispatchStatus.delivering]);
  });

  it('when an operator retries a failed stage, then the document goes back to the status that awaits that stage', () => {
    for (const stage of [Stage.convert, Stage.sign, Stage.route] as const) expect(stageAwaitedIn(statusBefore(stage))).to.equal(stage);
    expect(statusBefore(Stage.convert)).to.equal(DocumentStatus.accepted);
    expect(statusBefore(Stage.route)).to.equal(DocumentStatus.signed);
  });

  const spelling = (re: RegExp): string[] => filesSpelling(projectRoot(), ['services', 'workers', 'contracts'], re);

  it('when the product code is read, then no file spells the in-flight document statuses out', () => {
    expect(spelling(/'accepted',\s*'converted',\s*'signed'/)).to.deep.equal([]);
  });

  it('when the product code is read, then the open dispatch statuses are spelled out in no new file', () => {
    // SQL in these files still lists them (left alone while other branches change the same
    // statements); the sweeper and the deliver stage take OPEN_DISPATCH_STATUSES.
    const known = [
      'services/domain/dispatches/push-attempts.repository.ts',
      'services/domain/documents/outbox-list.ts',
      'services/domain/edxml/receive-edxml.ts',
      'services/metrics/database-metrics.ts',
      'services/web/queries/delivery-alerts.query.ts',
    ];
    expect(spelling(/'pending',\s*'delivering'/).filter((f) => !known.includes(f))).to.deep.equal([]);
  });
});
