import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { concatTransformationMatrix, drawObject, PDFDocument, PDFName, popGraphicsState, pushGraphicsState } from 'pdf-lib';
import { BLOB_CHUNK_BYTES, blobInfo } from '../../../services/domain/blobs/blob.repository';
import { tempDirOf } from '../../../services/domain/blobs/temp-files';
import { createAgencies, type TestAgency } from '../../support/agencies.fixture';
import { startGateway, type RunningGateway } from '../../support/http.fixture';
import { tableCounts } from '../../support/table-counts';
import { createWebUser, WebClient } from './web-client';

const MiB = 1024 * 1024;
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function scanPdf(bytes: number): Promise<Buffer> {
  const side = Math.floor(Math.sqrt(bytes / 3));
  const pdf = await PDFDocument.create();
  const image = pdf.context.stream(randomBytes(side * side * 3), { Type: 'XObject', Subtype: 'Image', Width: side, Height: side, ColorSpace: 'DeviceRGB', BitsPerComponent: 8 });
  const page = pdf.addPage([595.28, 841.89]);
  page.node.setXObject(PDFName.of('Im0'), pdf.context.register(image));
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(500, 0, 0, 500, 47, 170), drawObject('Im0'), popGraphicsState());
  return Buffer.from(await pdf.save({ useObjectStreams: false }));
}

async function tempDirEmpties(dataDir: string): Promise<string[]> {
  const until = Date.now() + 3_000;
  for (;;) {
    let left: string[] = [];
    try {
      left = fs.readdirSync(tempDirOf(dataDir));
    } catch {
      // never created
    }
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('web send form: a large PDF goes through a temporary file and comes back streamed', function () {
  this.timeout(120_000);
  let dataDir: string;
  let gw: RunningGateway;
  let sender: TestAgency;
  let recipient: TestAgency;
  let clerk: { username: string; password: string };
  let pdf: Buffer;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lienthong-web-upload-'));
    gw = await startGateway({ LIENTHONG_DATA_DIR: dataDir });
    [sender, recipient] = (await createAgencies(gw.db, 2, { withCertificates: false, signers: 1 })) as [TestAgency, TestAgency];
    clerk = await createWebUser(gw.db, sender.code, 'clerk');
    pdf = await scanPdf(3 * MiB);
  });
  after(async () => {
    await gw.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const sendForm = async (web: WebClient, csrf: boolean): Promise<FormData> => {
    const form = new FormData();
    if (csrf) form.append('_csrf', await web.csrf('/send'));
    const fields: Record<string, string> = {
      documentType: 'CV', number: '', notation: 'SNV-VP', issuedOn: '2026-03-05', place: 'Đắk Lắk',
      subject: 'Về việc gửi bản quét hồ sơ', signerAuthority: 'KT.', signerPosition: 'PHÓ GIÁM ĐỐC', signerName: 'Nguyễn Văn A',
      urgency: 'normal', dueOn: '', source: 'upload', copies: 'Lưu: VT.', formKey: randomBytes(18).toString('base64url'),
    };
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    form.append('recipients', recipient.code);
    form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'ban-quet.pdf');
    return form;
  };

  it('when a clerk sends a 3 MB scan, then it is stored in chunks, downloads identical from the web, and no temporary file stays', async () => {
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const res = await web.request('POST', '/send', await sendForm(web, true));
    expect(res.status, res.text.slice(0, 500)).to.equal(303);
    const id = /\/outbox\/([0-9a-f-]{36})/.exec(res.location ?? '')![1]!;
    expect(await tempDirEmpties(dataDir)).to.deep.equal([]);
    expect(await blobInfo(gw.db, sha(pdf))).to.include({ size: pdf.length, chunks: Math.ceil(pdf.length / BLOB_CHUNK_BYTES) });
    const down = await fetch(`${gw.baseUrl}/documents/${id}/files/original?download=1`, { headers: { cookie: [...web.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(down.status).to.equal(200);
    expect(down.headers.get('content-length')).to.equal(String(pdf.length));
    expect(sha(Buffer.from(await down.arrayBuffer()))).to.equal(sha(pdf));
  });

  it('when the same large form comes without its CSRF token, then 403, nothing is written and no temporary file stays', async () => {
    const web = new WebClient(gw.baseUrl);
    expect((await web.signIn(clerk.username, clerk.password)).status).to.equal(303);
    const before = await tableCounts(gw.db);
    const res = await web.request('POST', '/send', await sendForm(web, false));
    expect(res.status).to.equal(403);
    expect(await tableCounts(gw.db)).to.deep.equal(before);
    expect(await tempDirEmpties(dataDir)).to.deep.equal([]);
  });
});
