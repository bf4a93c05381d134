import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { describeCircle, folderCircles, folderGraph, folderOf } from '../../support/folder-graph';

/**
 * No import circle between folders (issue 18). The last ones were broken by small moves: the HTTP
 * helpers both the API and the web use (request parsing, upload storage, route parameters, blob
 * streaming) live in services/http, so the web no longer imports the gateway that mounts it; the
 * Vietnamese labels the web pages and the exported tables share live in services/labels; the
 * development TSA (issued by the development CA) lives beside that CA in services/domain/pki, so
 * services/tsa is a leaf again. The layering is in the README (§ Layout).
 */
describe('architecture: import circles between folders', () => {
  it('when the product folders import each other, then no circle exists', () => {
    const graph = folderGraph(projectRoot());
    expect(graph.size, 'the graph was read from the sources').to.be.greaterThan(5);
    expect(folderCircles(graph).map((group) => describeCircle(graph, group)), 'import circles between folders').to.deep.equal([]);
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
