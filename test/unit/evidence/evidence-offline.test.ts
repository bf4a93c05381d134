import { expect } from 'chai';
import { createHash, X509Certificate } from 'node:crypto';
import { GENESIS_HASH, hashLedgerRow, ledgerHashInput } from '../../../services/domain/ledger/ledger.repository';
import { buildManifest, parseManifest } from '../../../services/evidence/asic-manifest';
import { checkLedgerPath } from '../../../services/evidence/evidence-ledger-check';
import type { EvidenceLedger, EvidenceLedgerRow } from '../../../services/evidence/evidence-parts';
import { createDevCa, issueAgencyCertificate } from '../../../services/pki/dev-ca';
import { sealContent, verifySeal } from '../../../services/signing/cms-seal';
import { loadSigningIdentity } from '../../../services/signing/pades-signer';

function chain(n: number, documentId: string): EvidenceLedgerRow[] {
  const rows: EvidenceLedgerRow[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields = { id: i, at: `2026-12-0${i}T00:00:00.000000Z`, kind: 'dispatch_delivered', document_id: i % 2 ? documentId : 'other', dispatch_id: null, sender: 'A', recipient: 'B', channel: 'hosted', detail: {}, prev_hash: prev, chain: 'A' };
    const hash = hashLedgerRow(ledgerHashInput(fields));
    rows.push({ ...fields, hash });
    prev = hash;
  }
  return rows;
}

describe('evidence, offline parts: the manifest, the ledger path and the seal', () => {
  it('when a manifest is built and read back, then every path, type and SHA-256 survives (escaped characters included)', () => {
    const entries = [{ path: 'document/a&b.pdf', mimeType: 'application/pdf', sha256: createHash('sha256').update('x').digest('hex') }];
    expect(parseManifest(buildManifest(entries))).to.deep.equal({ sigReference: 'META-INF/signature.p7s', entries });
  });

  it('when a ledger row of the path is changed or removed, then the check names the row; an intact path passes', () => {
    const rows = chain(4, 'D');
    const ledger: EvidenceLedger = { type: 'lienthong-evidence-ledger', version: 1, chain: 'A', rows, documentRowIds: [1, 3], anchor: null, howToCheck: '' };
    expect(checkLedgerPath(ledger, 'D', undefined, [])).to.deep.equal({ ok: true });
    const altered = { ...ledger, rows: rows.map((r) => (r.id === 2 ? { ...r, recipient: 'C' } : r)) };
    expect(checkLedgerPath(altered, 'D', undefined, [])).to.include({ ok: false, part: 'rows', problem: 'dòng 2: nội dung không khớp mã băm của nó' });
    const cut = { ...ledger, rows: rows.filter((r) => r.id !== 2) };
    expect(checkLedgerPath(cut, 'D', undefined, []).problem).to.equal('dòng 3: prev_hash không bằng mã băm của dòng 1');
  });

  it('when a seal is verified, then the content, the signer and the chain hold; a carried CA certificate altered, or another anchor, fails', () => {
    const ca = createDevCa({ commonName: 'Unit CA' });
    const hub = issueAgencyCertificate(ca, { agencyCode: 'HUB', agencyName: 'Hub seal' });
    const identity = loadSigningIdentity(hub.keyPem, hub.certPem, [ca.certPem]);
    const anchor = new X509Certificate(ca.certPem);
    const cms = sealContent(Buffer.from('{"a":1}'), identity);
    const ok = verifySeal(cms, [anchor], new Date());
    expect(ok).to.include({ ok: true, signer: 'Hub seal' });
    expect(ok.content?.toString()).to.equal('{"a":1}');
    const caAt = cms.indexOf(anchor.raw);
    const altered = Buffer.from(cms);
    const at = caAt + Math.floor(anchor.raw.length / 2);
    altered[at] = altered[at]! ^ 0x01;
    expect(verifySeal(altered, [anchor], new Date()).ok).to.equal(false);
    const other = new X509Certificate(createDevCa({ commonName: 'Other CA' }).certPem);
    expect(verifySeal(cms, [other], new Date()).ok).to.equal(false);
  });
});
