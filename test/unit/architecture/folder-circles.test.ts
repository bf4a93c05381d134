import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { describeCircle, folderCircles, folderGraph, folderOf } from '../../support/folder-graph';

/**
 * The import circles between folders that exist today (issue 18 asks that they go). The calendar
 * (services/calendar), DER and certificate fields (services/asn1), the PDF layout engine
 * (services/render/layout), the timestamp client (services/signing) and the master key's parsing
 * (services/config) moved to the folders that own them, which broke the large circle through
 * config, convert, db, domain, pki, reports, signing, stats and tsa. What is left fails this test
 * if it grows, and any new circle fails it.
 */
const KNOWN_CIRCLES: string[][] = [
  // export joined in an earlier round: services/export/document-columns.ts takes the web's labels;
  // the web takes the gateway's route helpers and the gateway mounts the web (issue 18).
  ['services/export', 'services/gateway', 'services/web'],
  // came with the ledger anchoring (merged from main): domain/ledger/anchor-tsa.ts starts the
  // development TSA, which reads the development CA through domain/pki/dev-pki. To break next.
  ['services/domain', 'services/tsa'],
];

describe('architecture: import circles between folders', () => {
  it('when the product folders import each other, then no circle exists beyond the known ones, and none has grown', () => {
    const graph = folderGraph(projectRoot());
    expect(graph.size, 'the graph was read from the sources').to.be.greaterThan(5);
    const unknown = folderCircles(graph).filter((group) => !KNOWN_CIRCLES.some((known) => group.every((f) => known.includes(f))));
    expect(unknown.map((group) => describeCircle(graph, group)), 'new import circles between folders').to.deep.equal([]);
  });

  it('when three folders import each other in a ring, then the check finds that circle (the check can fail)', () => {
    const graph = new Map([
      ['services/a', new Map([['services/b', ['services/a/x.ts → ../b/y']]])],
      ['services/b', new Map([['services/c', ['services/b/y.ts → ../c/z']]])],
      ['services/c', new Map([['services/a', ['services/c/z.ts → ../a/x']]])],
      ['workers', new Map([['services/a', ['workers/w.ts → ../services/a/x']]])],
    ]);
    expect(folderCircles(graph)).to.deep.equal([['services/a', 'services/b', 'services/c']]);
  });

  it('when a path is named, then its folder is services/<name>, infra/<name> or the top folder', () => {
    expect(folderOf('services/web/routes/x.ts')).to.equal('services/web');
    expect(folderOf('workers/stages/sign.job.ts')).to.equal('workers');
    expect(folderOf('contracts/jobs.ts')).to.equal('contracts');
    expect(folderOf('test/unit/x.ts')).to.equal(undefined);
  });
});
