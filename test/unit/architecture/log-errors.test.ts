import { expect } from 'chai';
import { projectRoot } from '../../../services/config/project-root';
import { logCallsIn, passesMessageInsteadOfError, productLogCalls } from '../../support/log-calls';

/**
 * Errors are logged as `{ err }`: pino's serializer then writes the type, the message, the stack and
 * the `cause` chain. A log call that passes `err.message` (or `String(err)`) loses all but the text.
 */
describe('architecture: errors are logged as errors, not as their message', () => {
  it('when the product code logs, then no log call passes an error message string instead of the error', () => {
    const calls = productLogCalls(projectRoot());
    expect(calls.length, 'the log calls were read from the sources').to.be.greaterThan(40);
    const offenders = calls.filter(passesMessageInsteadOfError).map((c) => `${c.file}:${c.line}: ${c.text.replace(/\s+/g, ' ').slice(0, 160)}`);
    expect(offenders, 'log calls that pass err.message: log { err } instead').to.deep.equal([]);
  });

  it('when a log call passes the message, in any of the usual spellings, then the check finds it (the check can fail)', () => {
    const source = [
      "log.warn({ err: (err as Error).message }, 'relay failed');",
      "ctx.log.error({ documentId, err: error.message }, 'ALERT');",
      'this.log.debug({ error: String(err) }, "lost");',
      'log.info(`push failed: ${err.message}`);',
      "rootLogger.fatal({ err: err instanceof Error ? { message: err.message, stack: err.stack } : err }, 'x');",
      'log.warn(\n  { reason: e?.message },\n  "multi-line",\n);',
    ].join('\n');
    const calls = logCallsIn('x.ts', source);
    expect(calls).to.have.length(6);
    expect(calls.filter(passesMessageInsteadOfError).map((c) => c.line)).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('when a log call passes the error itself or unrelated fields, then the check lets it be', () => {
    const source = [
      "log.warn({ err }, 'relay failed');",
      "ctx.log.error({ documentId, err: error, attempt }, 'ALERT');",
      "log.info({ message: 'ok', subject: doc.message }, 'stored');",
      "log.warn({ issues: parsed.error.issues }, 'payload');",
    ].join('\n');
    expect(logCallsIn('y.ts', source).filter(passesMessageInsteadOfError)).to.deep.equal([]);
  });
});
