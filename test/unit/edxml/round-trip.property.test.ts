import { expect } from 'chai';
import fc from 'fast-check';
import { DOCUMENT_TYPES } from '../../../contracts/document-types';
import { edxmlDocumentId, emitEdxmlDocument, emitEdxmlStatus } from '../../../services/edxml/emit-edxml';
import { EDXML_STATUS_CODES, type EdxmlDocument, type EdxmlStatus } from '../../../services/edxml/edxml-types';
import { edxmlTimestampOf, formatEdxmlTimestamp, parseEdxmlTimestamp } from '../../../services/edxml/edxml-values';
import { parseEdxml } from '../../../services/edxml/parse-edxml';
import { documentOf, statusOf } from './edxml-test-support';

// Vietnamese letters (precomposed and one decomposed form), XML's special characters, CR/LF/tab and an astral emoji.
const UNITS = [
  ...'aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐĂÂÊÔƠƯ0123456789 ,.;:/-()',
  '<', '>', '&', '"', "'", ']]>', '\n', '\r\n', '\t', 'a\u0301', '📄',
];
/** Parsed text is trimmed, so generated text is too; `min` 1 for required elements. */
const text = (min = 1) => fc.string({ unit: fc.constantFrom(...UNITS), minLength: min, maxLength: 40 }).map((s) => s.trim()).filter((s) => s.length >= min);
const organId = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('G', 'H', 'A'), fc.integer({ min: 1, max: 99 }))
    .map(([a, b, c, l, n]) => `${String(a).padStart(3, '0')}.${String(b).padStart(2, '0')}.${String(c).padStart(2, '0')}.${l}${String(n).padStart(2, '0')}`),
  fc.stringMatching(/^[A-Y][0-9]{2}(\.[0-9]{2}){0,3}$/),
);
const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const timestamp = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map(edxmlTimestampOf);

const organ = fc.record(
  { organId, organName: text(0), organizationInCharge: text(), organAdd: text(), email: text(), telephone: text(), fax: text(), website: text() },
  { requiredKeys: ['organId', 'organName'] },
);
const responseFor = fc.record({ organId, code: text(), promulgationDate: fc.option(isoDate, { nil: null }), documentId: fc.option(text(), { nil: null }) });
// An all-empty StaffInfo parses as absent, so generate at least one field.
const staff = fc.record({ department: text(), staff: text(), email: text(), mobile: text() }, { requiredKeys: [] }).filter((s) => Object.keys(s).length > 0);
const business = fc.record(
  {
    documentId: text(),
    businessDocType: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const),
    businessDocReason: text(),
    paper: fc.constantFrom(0 as const, 1 as const),
    staffInfo: staff,
    documentInfo: fc.record(
      { documentInfo: text(), documentReceiver: text(), receivers: fc.array(fc.record({ organId, receiverType: fc.constantFrom('0', '1') }, { requiredKeys: ['organId'] }), { maxLength: 3 }) },
      { requiredKeys: ['receivers'] },
    ),
    replacementInfo: fc.array(fc.record({ documentId: text(), organIds: fc.array(organId, { maxLength: 3 }) }), { maxLength: 2 }),
  },
  { requiredKeys: ['businessDocType', 'paper'] },
);
const attachment = fc.record(
  {
    contentId: fc.stringMatching(/^cid:[a-z0-9-]{1,16}$/),
    name: fc.tuple(text(), fc.constantFrom('.pdf', '.docx', '.txt', '.png')).map(([n, ext]) => n + ext),
    description: text(),
    contentType: fc.constantFrom('application/pdf', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'text/plain', 'image/png'),
    bytes: fc.uint8Array({ maxLength: 3000 }).map((a) => Buffer.from(a)),
  },
  { requiredKeys: ['name', 'contentType', 'bytes'] },
);

const documentArb: fc.Arbitrary<EdxmlDocument> = fc.record(
  {
    from: organ,
    to: fc.array(organ, { minLength: 1, maxLength: 5 }),
    documentId: fc.option(text(), { nil: null }),
    code: fc.record({ number: fc.stringMatching(/^0?[0-9]{1,5}[a-z]?$/), notation: text() }),
    promulgation: fc.record({ place: text(0), date: isoDate }),
    documentType: fc.record({ type: fc.constantFrom('1', '2'), typeDetail: fc.constantFrom('0', '1'), typeName: fc.constantFrom(...Object.values(DOCUMENT_TYPES)) }, { requiredKeys: [] }),
    subject: text(),
    content: text(),
    signer: fc.record({ competence: text(), position: text(), fullName: text() }, { requiredKeys: [] }),
    dueDate: isoDate,
    otherInfo: fc.record(
      {
        priority: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const, 4 as const),
        sphereOfPromulgation: text(),
        typerNotation: text(),
        promulgationAmount: fc.nat({ max: 1000 }),
        pageAmount: fc.nat({ max: 1000 }),
        direction: fc.boolean(),
        appendixes: fc.array(text(), { maxLength: 3 }),
      },
      { requiredKeys: ['priority'] },
    ),
    responseFor: fc.array(responseFor, { maxLength: 2 }),
    steeringType: fc.constantFrom('0', '1', '2', '3'),
    toPlaces: fc.array(text(), { maxLength: 4 }),
    business,
    traceHeaders: fc.array(fc.record({ organId, timestamp }), { maxLength: 3 }),
    attachments: fc.uniqueArray(attachment, { maxLength: 3, selector: (a) => a.contentId }),
  },
  { requiredKeys: ['from', 'to', 'documentId', 'code', 'promulgation', 'documentType', 'subject', 'signer', 'otherInfo', 'responseFor', 'toPlaces', 'business', 'traceHeaders', 'attachments'] },
);

const statusArb: fc.Arbitrary<EdxmlStatus> = fc.record(
  { from: organ, responseFor, staffInfo: staff, statusCode: fc.constantFrom(...EDXML_STATUS_CODES), description: text(), timestamp },
  { requiredKeys: ['from', 'responseFor', 'statusCode', 'timestamp'] },
);

describe('when generated messages are emitted and parsed back', () => {
  it('when a document is emitted then parsed, then every field comes back (a null DocumentId as the computed one)', () => {
    fc.assert(
      fc.property(documentArb, (doc) => {
        const xml = emitEdxmlDocument(doc);
        const expected = { ...doc, documentId: doc.documentId ?? edxmlDocumentId(doc.from.organId, doc.promulgation.date, doc.code.number, doc.code.notation) };
        expect(documentOf(parseEdxml(xml))).to.deep.equal(expected);
        // Emitting is stable: what we parse we write again byte for byte.
        expect(emitEdxmlDocument(documentOf(parseEdxml(xml)))).to.equal(xml);
      }),
      { numRuns: 200 },
    );
  });

  it('when a status is emitted then parsed, then every field comes back', () => {
    fc.assert(
      fc.property(statusArb, (st) => {
        expect(statusOf(parseEdxml(emitEdxmlStatus(st)))).to.deep.equal(st);
      }),
      { numRuns: 200 },
    );
  });

  it('when a timestamp is formatted the edXML way and read back, then it is the same instant', () => {
    fc.assert(
      fc.property(timestamp, (ts) => {
        expect(parseEdxmlTimestamp(formatEdxmlTimestamp(ts), 'Timestamp')).to.equal(ts);
      }),
    );
  });

  it('when emitted, then the envelope follows the samples: default-namespace root, prefixed envelope, Bussiness spelling, yyyy/MM/dd', () => {
    const doc = fc.sample(documentArb, { seed: 42, numRuns: 1 })[0]!;
    const xml = emitEdxmlDocument({ ...doc, promulgation: { place: 'Hà Nội', date: '2024-03-05' }, attachments: [] });
    expect(xml.split('\n').slice(0, 3)).to.deep.equal([
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">',
      '  <edXML:edXMLEnvelope xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016">',
    ]);
    expect(xml).to.contain('<edXML:PromulgationDate>2024/03/05</edXML:PromulgationDate>');
    expect(xml).to.contain('<edXML:Bussiness>').and.contain('<edXML:BussinessDocType>');
    expect(xml).not.to.contain('<AttachmentEncoded>');
  });
});
