import { expect } from 'chai';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CliUsageError, type CliContext } from '../../../services/cli/cli-context';
import { edxmlCommand, inspectEdxmlFile } from '../../../services/cli/commands/edxml.command';
import { fixture, FIXTURES } from './edxml-test-support';

describe('when an operator runs lienthong edxml inspect FILE', () => {
  it('when the file is a good document, then exit 0 and JSON with attachments summarised by size and sha256', async () => {
    const r = await inspectEdxmlFile(path.join(FIXTURES, 'new_doc_two_recipients_pdf.edxml'));
    expect(r.code).to.equal(0);
    expect(r.stderr).to.equal('');
    const out = JSON.parse(r.stdout);
    expect(out.kind).to.equal('document');
    expect(out.document.code).to.deep.equal({ number: '015', notation: 'STC-NS' });
    expect(out.document.attachments).to.have.length(1);
    const a = out.document.attachments[0];
    expect(a).not.to.have.property('bytes');
    expect(a.name).to.equal('015_STC-NS_signed.pdf');
    expect(a.contentType).to.equal('application/pdf');
    const pdf = Buffer.from(/<ContentTransferEncoded>([^<]+)</.exec(fixture('new_doc_two_recipients_pdf.edxml').toString())![1]!, 'base64');
    expect(a.size).to.equal(pdf.length);
    expect(a.sha256).to.equal(createHash('sha256').update(pdf).digest('hex'));
  });

  it('when the file is a status, then exit 0 and the status code is printed', async () => {
    const r = await inspectEdxmlFile(path.join(FIXTURES, 'status_03.edxml'));
    expect(r.code).to.equal(0);
    expect(JSON.parse(r.stdout).status.statusCode).to.equal('03');
  });

  it('when a required element is missing, then exit 1 and stderr names the code and element', async () => {
    const r = await inspectEdxmlFile(path.join(FIXTURES, 'bad_missing_subject.edxml'));
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/^error: EDXML_MISSING_ELEMENT at MessageHeader\/Subject: required element is missing/);
  });

  it('when the file declares a DTD, then exit 1 with EDXML_FORBIDDEN_DTD', async () => {
    const r = await inspectEdxmlFile(path.join(FIXTURES, 'hostile_xxe.edxml'));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error: EDXML_FORBIDDEN_DTD at DOCTYPE: /);
  });

  it('when the file does not exist, then exit 1 with a readable message', async () => {
    const r = await inspectEdxmlFile(path.join(FIXTURES, 'khong-co.edxml'));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error: cannot read .*khong-co\.edxml/);
  });

  it('when no FILE is given, then the handler raises a usage error without touching the context', async () => {
    let caught: unknown;
    await edxmlCommand(['inspect'], {} as CliContext).catch((err: unknown) => (caught = err));
    expect(caught).to.be.instanceOf(CliUsageError);
  });
});
