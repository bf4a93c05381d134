import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ConfigError, loadConfig } from '../../../services/config/config';
import { levelFor, permanentTypes } from '../../../services/signing/ltv/permanent-types';
import { revisionDigests } from '../../../services/signing/ltv/revision-digests';

// Issue 21: which level a document type is signed at, the configuration that chooses it, and the
// revision digests that let a receipt name a signed PDF before its renewal.

const base = { DATABASE_URL: 'postgres://u@localhost/db', REDIS_URL: 'redis://localhost', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: '11'.repeat(32) };

describe('signature level per document type', () => {
  it('the default level is B-LT; types kept permanently get B-LTA unless timestamps are off (B-B)', () => {
    expect(loadConfig(base).LIENTHONG_SIGNATURE_LEVEL).to.equal('B-LT');
    const permanent = permanentTypes(undefined);
    expect(levelFor('CV', 'B-LT', permanent)).to.equal('B-LT');
    expect(levelFor('QĐ', 'B-LT', permanent)).to.equal('B-LTA');
    expect(levelFor('QĐ', 'B-T', permanent)).to.equal('B-LTA');
    expect(levelFor('QĐ', 'B-B', permanent)).to.equal('B-B');
    expect(levelFor('CV', 'B-LTA', permanent)).to.equal('B-LTA');
  });

  it('LIENTHONG_LTA_DOCUMENT_TYPES replaces the list; an unknown code or level is refused at start', () => {
    const config = loadConfig({ ...base, LIENTHONG_LTA_DOCUMENT_TYPES: 'CV, TB' });
    const permanent = permanentTypes(config.LIENTHONG_LTA_DOCUMENT_TYPES);
    expect(levelFor('CV', 'B-LT', permanent)).to.equal('B-LTA');
    expect(levelFor('QĐ', 'B-LT', permanent)).to.equal('B-LT');
    expect(() => loadConfig({ ...base, LIENTHONG_LTA_DOCUMENT_TYPES: 'CV,XYZ' })).to.throw(ConfigError, /XYZ is not a document type code/);
    expect(() => loadConfig({ ...base, LIENTHONG_SIGNATURE_LEVEL: 'B-LTV' })).to.throw(ConfigError, /LIENTHONG_SIGNATURE_LEVEL/);
  });
});

describe('revision digests of a renewed PDF', () => {
  it('every prefix ending at an %%EOF is named, and nothing else', () => {
    const first = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n', 'latin1');
    const renewed = Buffer.concat([first, Buffer.from('2 0 obj\n<<>>\nendobj\n%%EOF\n', 'latin1')]);
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const digests = revisionDigests(renewed);
    expect(digests.has(sha(first))).to.equal(true);
    expect(digests.has(sha(renewed))).to.equal(true);
    expect(digests.has(sha(first.subarray(0, 20)))).to.equal(false);
  });
});
