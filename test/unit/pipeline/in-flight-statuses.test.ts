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

  it('when the product code is read, then no file spells the open dispatch statuses out', () => {
    // SQL writes lienthong_open_dispatch_statuses() (migration 0080), TypeScript OPEN_DISPATCH_STATUSES.
    expect(spelling(/'pending',\s*'delivering'/)).to.deep.equal([]);
    expect(spelling(/'delivering',\s*'pending'/)).to.deep.equal([]);
  });
});
