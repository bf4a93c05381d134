import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, expectEdxmlError, FIXTURES, SHARED_SAMPLES, statusOf } from './edxml-test-support';

/** Read off the files by hand (see ../shared/interop/edxml/SOURCE.txt), not produced by the parser. */
type DocRow = { kind: 'document'; from: string; to: string[]; number: string; notation: string; date: string; due?: string; type: number; member: string; memberSize: number };
type StatusRow = { kind: 'status'; from: string; answered: string; code: string; date: string; timestamp: string };
const G22 = '000.00.00.G22';
const H41 = '000.00.00.H41';
const VPCP_TO = [H41, '000.00.00.H14', '000.00.00.G17'];
const statusRow = (code: string, timestamp = '2015-09-20T11:08:36+07:00', date = '2015-09-30'): StatusRow => ({ kind: 'status', from: H41, answered: G22, code, date, timestamp });

const EXPECTED: Record<string, DocRow | StatusRow> = {
  'envelope_new_doc_vpcp_example.edxml': { kind: 'document', from: G22, to: VPCP_TO, number: '7816', notation: 'VPCP-TTĐT', date: '2019-04-11', due: '2019-04-11', type: 0, member: '7a71a0ee-2f35-400d-aca9-811d478eb158.edxml', memberSize: 8381 },
  'envelope_new_doc_edoc_new.edxml': { kind: 'document', from: '000.00.00.A80', to: ['28.22.H17'], number: '74fass22', notation: 'VPCP-TTĐT', date: '2019-01-16', due: '2018-09-28', type: 0, member: '32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml', memberSize: 388347 },
  'envelope_new_doc_tayninh_H53.edxml': { kind: 'document', from: '000.00.11.H53', to: ['000.00.01.A53'], number: '2491', notation: 'STC-BCTC', date: '2020-10-30', type: 0, member: '32da2890-1a55-4ccd-9ac9-cd0d98559e67.edxml', memberSize: 388347 },
  'envelope_revocation_bussinessdoctype1.edxml': { kind: 'document', from: G22, to: VPCP_TO, number: '7816', notation: 'VPCP-TTĐT', date: '2018-09-28', due: '2018-09-28', type: 1, member: 'a3661564-bcbb-4406-a6a9-ceddbc8f4e17.edxml', memberSize: 388347 },
  'envelope_update_bussinessdoctype2.edxml': { kind: 'document', from: G22, to: VPCP_TO, number: '7816', notation: 'VPCP-TTĐT', date: '2018-09-28', due: '2018-09-28', type: 2, member: '3ed3cc90-1dcb-4382-9725-1de9cd899790.edxml', memberSize: 388347 },
  'envelope_replacement_bussinessdoctype3.edxml': { kind: 'document', from: G22, to: VPCP_TO, number: '7816', notation: 'VPCP-TTĐT', date: '2018-09-28', due: '2018-09-28', type: 3, member: '30d190ec-60e3-41b6-bda7-50b17d98b35d.edxml', memberSize: 388347 },
  'status_01_arrived_variant.edxml': statusRow('01', '2018-09-28T17:25:11+07:00', '2018-09-28'),
  'status_01_inbox.edxml': statusRow('01'),
  'status_02_rejection.edxml': statusRow('02'),
  'status_03_acceptance.edxml': statusRow('03'),
  'status_04_assignment.edxml': statusRow('04'),
  'status_05_processing.edxml': statusRow('05'),
  'status_06_finish.edxml': statusRow('06'),
  'status_13_cancellation.edxml': { ...statusRow('13'), from: G22, answered: H41 },
  'status_15_change_acceptance.edxml': statusRow('15'),
  'status_16_change_rejection.edxml': statusRow('16'),
};

if (fs.existsSync(SHARED_SAMPLES)) {
  describe('when the shared vendor edXML samples are parsed', () => {
    const files = fs.readdirSync(SHARED_SAMPLES).filter((f) => f.endsWith('.edxml'));
    const read = (f: string) => fs.readFileSync(path.join(SHARED_SAMPLES, f));

    it('then every sample except NEGATIVE_* and TEMPLATE_* has a row of expected values', () => {
      const positives = files.filter((f) => !/^(NEGATIVE|TEMPLATE)_/.test(f)).sort();
      expect(positives).to.deep.equal(Object.keys(EXPECTED).sort());
    });

    for (const [file, row] of Object.entries(EXPECTED)) {
      if (row.kind === 'document') {
        it(`when ${file} is parsed, then sender ${row.from}, ${row.number}/${row.notation} of ${row.date} and business type ${row.type} come out`, () => {
          const doc = documentOf(parseEdxml(read(file)));
          expect(doc.from.organId).to.equal(row.from);
          expect(doc.to.map((t) => t.organId)).to.deep.equal(row.to);
          expect(doc.code).to.deep.equal({ number: row.number, notation: row.notation });
          expect(doc.promulgation.date).to.equal(row.date);
          expect(doc.dueDate).to.equal(row.due);
          expect(doc.business.businessDocType).to.equal(row.type);
          expect(doc.attachments.map((a) => [a.name, a.bytes.length, a.fromArchive])).to.deep.equal([[row.member, row.memberSize, '1896_QD-TTg_m_294779.doc']]);
        });
      } else {
        it(`when ${file} is parsed, then it is status ${row.code} from ${row.from} about ${row.answered}'s 7816/VPCP-TTĐT`, () => {
          const st = statusOf(parseEdxml(read(file)));
          expect(st.statusCode).to.equal(row.code);
          expect(st.from.organId).to.equal(row.from);
          expect(st.responseFor).to.deep.equal({ organId: row.answered, code: '7816/VPCP-TTĐT', promulgationDate: row.date, documentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' });
          expect(st.timestamp).to.equal(row.timestamp);
        });
      }
    }

    it('when the revocation sample is parsed, then its ResponseFor names the revoked 267/VPCP-TTĐT', () => {
      const doc = documentOf(parseEdxml(read('envelope_revocation_bussinessdoctype1.edxml')));
      expect(doc.responseFor).to.deep.equal([
        { organId: '000.00.00.H14', code: '267/VPCP-TTĐT', promulgationDate: '2018-09-28', documentId: '000.00.04.G14,2012/08/06,267/VPCP-TTĐT' },
      ]);
      expect(doc.business.documentId).to.equal(undefined);
    });

    it('when the update and replacement samples are parsed, then BussinessDocumentInfo and ReplacementInfoList are kept', () => {
      const upd = documentOf(parseEdxml(read('envelope_update_bussinessdoctype2.edxml')));
      expect(upd.business.documentInfo).to.deep.equal({ documentInfo: '1', documentReceiver: '1', receivers: [{ organId: H41, receiverType: '0' }, { organId: '000.00.00.H14', receiverType: '1' }] });
      // The sample's Bussiness/DocumentId carries the impossible date 2014/02/30: kept as an opaque id.
      expect(upd.business.documentId).to.equal('000.00.00.G22,2014/02/30,7806/VPCP-TTĐT');
      const rep = documentOf(parseEdxml(read('envelope_replacement_bussinessdoctype3.edxml')));
      expect(rep.business.replacementInfo).to.have.length(2);
      expect(rep.business.replacementInfo![0]).to.deep.equal({ documentId: '000.00.00.G22,2014/01/30,7806/VPCP-TTĐT', organIds: [H41, '000.00.00.H14'] });
    });

    it('when the Tây Ninh sample with dd/MM/yyyy and empty elements is parsed, then empties become absent', () => {
      const doc = documentOf(parseEdxml(read('envelope_new_doc_tayninh_H53.edxml')));
      expect(doc.signer).to.deep.equal({});
      expect(doc.from).to.deep.equal({ organId: '000.00.11.H53', organName: 'Sở Tính', organizationInCharge: 'Tỉnh Tây Ninh', email: 'stc@tayninh.gov.vn' });
      expect(doc.otherInfo.appendixes).to.deep.equal([]);
      expect(doc.otherInfo.typerNotation).to.equal(undefined);
    });

    for (const file of files.filter((f) => f.startsWith('NEGATIVE_'))) {
      it(`when ${file} is parsed, then it is refused as malformed with a line number`, () => {
        const err = expectEdxmlError(() => parseEdxml(read(file)), 'EDXML_MALFORMED', /^line \d+, column \d+$/);
        expect(err.message).to.contain('not well-formed');
      });
    }
  });
} else {
  process.stderr.write(`[edxml] ${SHARED_SAMPLES} not found: vendor-sample tests not defined, own fixtures cover the same cases\n`);
  describe('when the shared vendor edXML samples are absent', () => {
    it('then the own fixtures cover documents of every business type and every status code', () => {
      const names = fs.readdirSync(FIXTURES);
      for (const code of ['01', '02', '03', '04', '05', '06', '13', '15', '16']) expect(names).to.include(`status_${code}.edxml`);
      for (const f of ['new_doc_two_recipients_pdf.edxml', 'revoke_with_responsefor.edxml', 'update_with_documentinfo.edxml', 'replace_with_replacementinfo.edxml', 'bad_malformed.edxml']) expect(names).to.include(f);
    });
  });
}
