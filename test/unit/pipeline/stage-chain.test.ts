import { expect } from 'chai';
import { DocumentStatus, Stage } from '../../../contracts';
import { chainOrQueue, chainsAfter, resumeStep } from '../../../workers/runtime/stage-chain';

const ALL = [Stage.convert, Stage.sign, Stage.route, Stage.deliver, Stage.notify];
const id = '6b1f0c55-3f4e-4a53-9d0c-1d7a0c3e2b11';

describe('stage chaining: which steps a job runs itself', () => {
  it('when a process runs every stage, then convert chains sign, route and deliver, each later stage what follows it, and deliver and notify nothing', () => {
    expect([...chainsAfter(Stage.convert, ALL, true)]).to.deep.equal([Stage.sign, Stage.route, Stage.deliver]);
    expect([...chainsAfter(Stage.sign, ALL, true)]).to.deep.equal([Stage.route, Stage.deliver]);
    expect([...chainsAfter(Stage.route, ALL, true)]).to.deep.equal([Stage.deliver]);
    for (const s of [Stage.deliver, Stage.notify]) expect([...chainsAfter(s, ALL, true)], s).to.deep.equal([]);
  });

  it('when the process does not run the next stage (--only) or chaining is off, then nothing past it chains', () => {
    expect([...chainsAfter(Stage.convert, [Stage.convert], true)]).to.deep.equal([]);
    expect([...chainsAfter(Stage.convert, [Stage.convert, Stage.route, Stage.deliver], true)], 'sign runs elsewhere').to.deep.equal([]);
    expect([...chainsAfter(Stage.convert, [Stage.convert, Stage.sign], true)]).to.deep.equal([Stage.sign]);
    expect([...chainsAfter(Stage.sign, [Stage.sign], true)]).to.deep.equal([]);
    expect([...chainsAfter(Stage.sign, [Stage.sign, Stage.deliver], true)], 'deliver follows route, which runs elsewhere').to.deep.equal([]);
    expect([...chainsAfter(Stage.sign, [Stage.sign, Stage.route], true)]).to.deep.equal([Stage.route]);
    for (const s of ALL) expect([...chainsAfter(s, ALL, false)], s).to.deep.equal([]);
  });

  it('when what follows is one message of a chained stage, then it becomes the next step and the outbox gets nothing; otherwise all goes to the outbox', () => {
    const route = { stage: Stage.route, payload: { documentId: id }, priority: 3 };
    expect(chainOrQueue([route], new Set([Stage.route]))).to.deep.equal({ outbox: [], next: { stage: Stage.route, payload: { documentId: id } } });
    expect(chainOrQueue([route], new Set([Stage.deliver]))).to.deep.equal({ outbox: [route] });
    expect(chainOrQueue([route], undefined)).to.deep.equal({ outbox: [route] });
    expect(chainOrQueue([route, route], new Set([Stage.route])), 'two messages: no guess which one').to.deep.equal({ outbox: [route, route] });
    expect(chainOrQueue([], new Set([Stage.route]))).to.deep.equal({ outbox: [] });
  });

  it('when a job finds its document past its own stage, then it resumes only a step chained here that the document still waits for', () => {
    const both = new Set([Stage.route, Stage.deliver]);
    expect(resumeStep(DocumentStatus.converted, id, new Set([Stage.sign, ...both]))).to.deep.equal({ stage: Stage.sign, payload: { documentId: id } });
    expect(resumeStep(DocumentStatus.converted, id, both), 'sign not chained here').to.equal(undefined);
    expect(resumeStep(DocumentStatus.signed, id, both)).to.deep.equal({ stage: Stage.route, payload: { documentId: id } });
    expect(resumeStep(DocumentStatus.routed, id, both)).to.deep.equal({ stage: Stage.deliver, payload: { documentId: id, hosted: true } });
    expect(resumeStep(DocumentStatus.signed, id, new Set([Stage.deliver]))).to.equal(undefined);
    for (const s of [DocumentStatus.accepted, DocumentStatus.failed, DocumentStatus.revoked, DocumentStatus.replaced, undefined]) {
      expect(resumeStep(s, id, both), String(s)).to.equal(undefined);
    }
  });
});
