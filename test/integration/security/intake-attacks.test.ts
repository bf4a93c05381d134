import { expect } from 'chai';
import type { Db } from '../../../services/db/pool';
import { emitEdxmlDocument, emitEdxmlStatus, type EdxmlDocument } from '../../../services/edxml';
import { allDelivered } from '../../support/delivery-audit';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { documentForm, getJson, postDocument, startGateway, type RunningGateway } from '../../support/http.fixture';
import { makePdf, metadataFor } from '../../support/pdf.fixture';
import { tableCounts } from '../../support/table-counts';
import { waitFor } from '../../support/wait';
import { spawnWorker, type WorkerProcess } from '../../support/worker.fixture';

const organ = (a: TestAgency) => ({ organId: a.code, organName: a.name });
let serial = 200;

function envelope(from: TestAgency, to: TestAgency[], pdf: Buffer, over: Partial<EdxmlDocument> = {}): EdxmlDocument {
  return {
    from: organ(from),
    to: to.map(organ),
    documentId: null,
    code: { number: String(serial++), notation: 'KH-UBND' },
    promulgation: { place: 'Buôn Ma Thuột', date: '2026-10-15' },
    documentType: { typeName: 'Kế hoạch' },
    subject: 'Kế hoạch thử tấn công',
    content: 'Tóm tắt',
    signer: { competence: 'KT.', position: 'PHÓ CHỦ TỊCH', fullName: 'Nguyễn Văn Ấn' },
    dueDate: null,
    otherInfo: { priority: 1 },
    responseFor: [],
    toPlaces: [],
    business: { businessDocType: 0, paper: 0 },
    traceHeaders: [{ organId: from.code, timestamp: '2026-10-15T08:00:00+07:00' }],
    attachments: [{ name: 'ke-hoach.pdf', contentType: 'application/pdf', bytes: pdf }],
    ...over,
  } as EdxmlDocument;
}

describe('intake attacks with one agency key: numbers, references, file names, cursors (issue 17)', function () {
  this.timeout(180_000);
  let gw: RunningGateway;
  let worker: WorkerProcess;
  let pdf: Buffer;
  /** x sends to y (a document between two other agencies); z is the attacker; x also sends to z. */
  let x: TestAgency;
  let y: TestAgency;
  let z: TestAgency;
  let between: string;
  let toZ: string;

  const postXml = async (key: string, xml: string) => {
    const res = await fetch(`${gw.baseUrl}/v1/edxml`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/xml' }, body: xml });
    return { status: res.status, body: (await res.json()) as any };
  };
  const sendJson = (a: TestAgency, meta: Record<string, unknown>, files = [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }]) =>
    postDocument(gw.baseUrl, a.apiKey, { metadata: meta, files });

  before(async () => {
    gw = await startGateway();
    [x, y, z] = (await createAgencies(gw.db, 3)) as [TestAgency, TestAgency, TestAgency];
    pdf = await makePdf(1);
    worker = spawnWorker();
    between = (await postDocument(gw.baseUrl, x.apiKey, documentForm(metadataFor([y.code], { number: '500' }), pdf))).body.id;
    toZ = (await postDocument(gw.baseUrl, x.apiKey, documentForm(metadataFor([z.code], { number: '501' }), pdf))).body.id;
    await waitFor('both delivered', () => allDelivered(gw.db, [between, toZ], 1), { timeoutMs: 90_000 });
  });
  after(async () => {
    await worker.stop();
    await gw.close();
  });

  describe('numbers', () => {
    it('when a number is out of range (2147483647, 99999999999, 12345678), then 400 states the rule and the register keeps numbering', async () => {
      const [a] = (await createAgencies(gw.db, 1)) as [TestAgency];
      const before = await tableCounts(gw.db);
      for (const number of ['2147483647', '99999999999', '12345678', '7x7', '-1', '1 ']) {
        const r = await sendJson(a, metadataFor([y.code], { number }));
        expect(r.status, number).to.equal(400);
        expect(r.body.error.code).to.equal('VALIDATION_FAILED');
        expect(r.body.error.message).to.contain('1–7 chữ số');
      }
      expect(await tableCounts(gw.db)).to.deep.equal(before);
      const auto = await sendJson(a, metadataFor([y.code]));
      expect(auto.status, JSON.stringify(auto.body)).to.equal(202);
    });

    it('when the largest valid number is given, then later auto-numbered documents of the year still succeed', async () => {
      const [a] = (await createAgencies(gw.db, 1)) as [TestAgency];
      expect((await sendJson(a, metadataFor([y.code], { number: '9999999z' }))).status).to.equal(202);
      for (let i = 0; i < 2; i++) {
        const r = await sendJson(a, metadataFor([y.code]));
        expect(r.status, JSON.stringify(r.body)).to.equal(202);
      }
      const numbers = await gw.db.query(`SELECT number FROM documents WHERE sender_code = $1 ORDER BY created_at`, [a.code]);
      expect(numbers.rows.map((r) => r.number)).to.deep.equal(['9999999z', '10000000', '10000001']);
    });

    it('when "77", "077" and "0077" are sent in one year, then only the first is accepted (409 for the others), and "1" collides with the issued "01"', async () => {
      const [a] = (await createAgencies(gw.db, 1)) as [TestAgency];
      expect((await sendJson(a, metadataFor([y.code], { number: '77' }))).status).to.equal(202);
      for (const number of ['077', '0077']) {
        const r = await sendJson(a, metadataFor([y.code], { number }));
        expect(r.status, number).to.equal(409);
        expect(r.body.error.code).to.equal('DUPLICATE_DOCUMENT');
      }
      const [b] = (await createAgencies(gw.db, 1)) as [TestAgency];
      expect((await sendJson(b, metadataFor([y.code]))).status).to.equal(202);
      const issued = await gw.db.query(`SELECT number FROM documents WHERE sender_code = $1`, [b.code]);
      expect(issued.rows[0].number).to.equal('01');
      const one = await sendJson(b, metadataFor([y.code], { number: '1' }));
      expect(one.status).to.equal(409);
      const paper = await fetch(`${gw.baseUrl}/v1/paper-dispatches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${b.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ documentType: 'CV', number: '001', notation: 'UBND', issuedOn: '2026-03-05', subject: 'Giấy', recipients: [y.code], sentOn: '2026-03-06' }),
      });
      expect(paper.status, 'a paper record shares the register').to.equal(409);
    });
  });

  describe('text PostgreSQL cannot store', () => {
    it('when a subject or an edXML DocumentId holds a NUL character, then 400 VALIDATION_FAILED and nothing is written (the drill\'s fuzz found a 500)', async () => {
      // The worker is still busy with earlier documents: count only what this sender owns.
      const owned = async () => (await gw.db.query(`SELECT count(*)::int AS n FROM documents WHERE sender_code = $1`, [z.code])).rows[0].n as number;
      const before = await owned();
      const json = await sendJson(z, metadataFor([x.code], { subject: 'Về việc\u0000 thử' }));
      expect([json.status, json.body.error.code]).to.deep.equal([400, 'VALIDATION_FAILED']);
      // A raw NUL byte in the text, as the fuzzer's byte mutation put it (the emitter refuses to write one).
      const xml = emitEdxmlDocument(envelope(z, [x], pdf, { documentId: `${z.code},2026/10/15,1NULHERE/KH` })).replace('NULHERE', '\u0000');
      const edxml = await postXml(z.apiKey, xml);
      expect(edxml.status, JSON.stringify(edxml.body)).to.be.oneOf([400, 422]);
      expect(await owned()).to.equal(before);
    });
  });

  describe('references', () => {
    it('when responseFor names a document between two other agencies, or none at all, then 422 UNKNOWN_REFERENCE with one text and nothing is written', async () => {
      // The documents the earlier tests had accepted are delivered first: their 01 and ledger rows
      // must not land between the two counts.
      await waitFor('the earlier documents settled', async () => {
        const r = await gw.db.query(
          `SELECT count(*)::int AS n FROM documents d LEFT JOIN dispatches x ON x.document_id = d.id
            WHERE d.sender_code = ANY($1) AND (d.status IN ('accepted', 'converted', 'signed') OR x.status IN ('pending', 'delivering'))`,
          [[x.code, y.code, z.code]],
        );
        return r.rows[0].n === 0;
      }, { timeoutMs: 120_000, recheckMs: 200 });
      // Counted for the caller only: other suites' documents may move through the shared queues meanwhile.
      const before = await writtenBy(gw.db, z.code);
      const foreign = await sendJson(z, metadataFor([y.code], { responseFor: between }));
      const missing = await sendJson(z, metadataFor([y.code], { responseFor: '0b7e7a52-6a3c-4a39-9d43-5f0a4a1e9f11' }));
      expect(foreign.status).to.equal(422);
      expect(foreign.body.error.code).to.equal('UNKNOWN_REFERENCE');
      expect(missing.status).to.equal(422);
      expect(missing.body.error).to.deep.equal(foreign.body.error);
      expect(await writtenBy(gw.db, z.code)).to.deep.equal(before);
    });

    it('when responseFor names a document the caller received or sent, then it is accepted', async () => {
      const answer = await sendJson(z, metadataFor([x.code], { responseFor: toZ }));
      expect(answer.status, JSON.stringify(answer.body)).to.equal(202);
      const own = await sendJson(x, metadataFor([y.code], { responseFor: between }));
      expect(own.status, JSON.stringify(own.body)).to.equal(202);
    });

    it('when an edXML ResponseFor names another agency\'s document, then 422 UNKNOWN_REFERENCE and the caller\'s edXML never shows that document', async () => {
      const ref = [{ organId: x.code, code: '500/CT-UBND', promulgationDate: '2026-03-05', documentId: null }];
      const probe = await postXml(z.apiKey, emitEdxmlDocument(envelope(z, [y], pdf, { responseFor: ref })));
      expect(probe.status).to.equal(422);
      expect(probe.body.error.code).to.equal('UNKNOWN_REFERENCE');
      const none = await postXml(z.apiKey, emitEdxmlDocument(envelope(z, [y], pdf, { responseFor: [{ ...ref[0]!, code: '999/KHONG-CO' }] })));
      expect(none.status).to.equal(422);
      expect(none.body.error.message).to.equal(probe.body.error.message);
      const fine = await postXml(z.apiKey, emitEdxmlDocument(envelope(z, [x], pdf, { responseFor: [{ ...ref[0]!, code: '501/CT-UBND' }] })));
      expect(fine.status, JSON.stringify(fine.body)).to.equal(202);
      const xml = await fetch(`${gw.baseUrl}/v1/documents/${fine.body.id}/edxml`, { headers: { authorization: `Bearer ${z.apiKey}` } }).then((r) => r.text());
      expect(xml).to.contain('501/CT-UBND').and.not.contain('500/CT-UBND');
    });

    it('when a status message names another agency\'s document or one that does not exist, then the answer is the same', async () => {
      const status = (code: string) =>
        emitEdxmlStatus({
          from: organ(z),
          responseFor: { organId: x.code, code, promulgationDate: '2026-03-05', documentId: null },
          statusCode: '02',
          timestamp: '2026-10-15T08:00:00+07:00',
        } as never);
      const foreign = await postXml(z.apiKey, status('500/CT-UBND'));
      const missing = await postXml(z.apiKey, status('4242/KHONG-CO'));
      expect(foreign.status).to.equal(422);
      expect([missing.status, missing.body.error]).to.deep.equal([foreign.status, foreign.body.error]);
    });
  });

  describe('file names', () => {
    it('when an edXML attachment is named with path parts, CR LF and a header, and a right-to-left override, then the stored and delivered name is a plain name', async () => {
      const evil = '../../../../home/user/.bashrc\r\nX-Injected: 1\u202Efdp.exe';
      const r = await postXml(
        z.apiKey,
        emitEdxmlDocument(envelope(z, [x], pdf, { attachments: [{ name: 'chinh.pdf', contentType: 'application/pdf', bytes: pdf }, { name: evil, contentType: 'application/pdf', bytes: await makePdf(1, 'attachment') }] })),
      );
      expect(r.status, JSON.stringify(r.body)).to.equal(202);
      const names = (await gw.db.query(`SELECT name FROM document_files WHERE document_id = $1 ORDER BY role`, [r.body.id])).rows.map((row) => row.name as string);
      expect(names).to.have.length.at.least(2);
      for (const name of names) {
        expect(name).to.not.match(/[\\/\r\n\u0000-\u001f\u202a-\u202e\u2066-\u2069]/);
        expect(name.startsWith('.')).to.equal(false);
      }
      expect(names).to.include('bashrcX-Injected_ 1fdp.exe');
    });

    it('when multipart and JSON names carry a right-to-left override and a long path, then they are cleaned the same way', async () => {
      const json = await sendJson(z, metadataFor([x.code]), [{ name: `${'a/'.repeat(100)}ho\u202Efdp.exe`, contentType: 'application/pdf', contentBase64: pdf.toString('base64') }]);
      expect(json.status).to.equal(202);
      const form = await postDocument(gw.baseUrl, z.apiKey, documentForm(metadataFor([x.code]), pdf, `${'x'.repeat(400)}\u2067.pdf`));
      expect(form.status).to.equal(202);
      const rows = await gw.db.query(`SELECT name FROM document_files WHERE document_id = ANY($1::uuid[]) AND role = 'original'`, [[json.body.id, form.body.id]]);
      for (const { name } of rows.rows) {
        expect(name).to.not.match(/[\\/\u202a-\u202e\u2066-\u2069]/);
        expect([...name].length).to.be.at.most(150);
      }
      expect(rows.rows.map((r) => r.name)).to.include('hofdp.exe');
    });
  });

  describe('paging cursors', () => {
    for (const path of ['/v1/inbox', '/v1/outbox']) {
      it(`when ${path} gets a cursor the server did not make, then 400 VALIDATION_FAILED, never 500`, async () => {
        const forged = [
          'AAAA',
          Buffer.from('not-a-date|not-a-uuid').toString('base64url'),
          Buffer.from('2026-02-30 10:00:00+00|0b7e7a52-6a3c-4a39-9d43-5f0a4a1e9f11').toString('base64url'),
          Buffer.from('99999-01-01 00:00:00+00|0b7e7a52-6a3c-4a39-9d43-5f0a4a1e9f11').toString('base64url'),
          Buffer.from('2026-01-01 00:00:00+00|zzzz').toString('base64url'),
          '%00',
        ];
        for (const cursor of forged) {
          const r = await getJson(gw.baseUrl, `${path}?cursor=${encodeURIComponent(cursor)}`, x.apiKey);
          expect(r.status, cursor).to.equal(400);
          expect(r.body.error.code).to.equal('VALIDATION_FAILED');
        }
        const first = await getJson(gw.baseUrl, `${path}?limit=1`, path === '/v1/inbox' ? z.apiKey : x.apiKey);
        expect(first.status).to.equal(200);
        if (first.body.nextCursor) {
          const next = await getJson(gw.baseUrl, `${path}?limit=1&cursor=${first.body.nextCursor}`, path === '/v1/inbox' ? z.apiKey : x.apiKey);
          expect(next.status, 'a real cursor still pages').to.equal(200);
        }
      });
    }
  });
});

/** What a submission by `sender` writes, counted for that sender only (documents, copies, files, outbox, ledger, registers). */
async function writtenBy(db: Db, sender: string): Promise<Record<string, number>> {
  const r = await db.query(
    `WITH d AS (SELECT id FROM documents WHERE sender_code = $1)
     SELECT (SELECT count(*)::int FROM d) AS documents,
            (SELECT count(*)::int FROM dispatches WHERE document_id IN (SELECT id FROM d)) AS dispatches,
            (SELECT count(*)::int FROM document_files WHERE document_id IN (SELECT id FROM d)) AS files,
            (SELECT count(*)::int FROM outbox WHERE payload->>'documentId' IN (SELECT id::text FROM d)) AS outbox,
            (SELECT count(*)::int FROM ledger WHERE document_id IN (SELECT id FROM d)) AS ledger,
            (SELECT count(*)::int FROM number_registers WHERE agency_code = $1) AS registers`,
    [sender],
  );
  return r.rows[0];
}
