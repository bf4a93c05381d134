import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { axisSettings, axisTimestamp, signedHeaders } from '../../../services/axis/axis-client';
import { axisBackoffMs } from '../../../services/axis/axis-poller';

describe('national axis wire format (services/axis/axis-client.ts)', () => {
  it('signs the parameters as the SDK does: XroadVnpt-<name> headers, the names in order, their JSON, its hex HMAC-SHA256', () => {
    const h = signedHeaders('khóa-bí-mật', [['systemid', 'vxp.test'], ['timestamp', '04122026T063000+0123'], ['Content-Type', 'application/json'], ['docId', 'abc']]);
    expect(h['XroadVnpt-systemid']).to.equal('vxp.test');
    expect(h['XroadVnpt-docId']).to.equal('abc');
    expect(h['XroadVnpt-sign-header-key']).to.equal('systemid;timestamp;Content-Type;docId');
    const json = '{"XroadVnpt-systemid":"vxp.test","XroadVnpt-timestamp":"04122026T063000+0123","XroadVnpt-Content-Type":"application/json","XroadVnpt-docId":"abc"}';
    expect(h['XroadVnpt-sign-header']).to.equal(json);
    expect(h['XroadVnpt-hash-header']).to.equal(createHmac('sha256', Buffer.from('khóa-bí-mật', 'utf8')).update(json).digest('hex'));
    expect(h['XroadVnpt-version']).to.equal('3.0.201608');
    const other = signedHeaders('another', [['systemid', 'vxp.test']]);
    expect(other['XroadVnpt-hash-header']).not.to.equal(signedHeaders('khóa-bí-mật', [['systemid', 'vxp.test']])['XroadVnpt-hash-header']);
  });

  it('writes the timestamp ddMMyyyyTHHmmss+SSSS in Vietnam time', () => {
    expect(axisTimestamp(new Date('2026-12-04T23:05:09.042Z'))).to.equal('05122026T060509+0042');
  });

  it('backs off from the poll period, doubling, with jitter, never beyond 15 minutes', () => {
    expect(axisBackoffMs(60_000, 0)).to.equal(60_000);
    expect(axisBackoffMs(60_000, 1, () => 1)).to.equal(120_000);
    expect(axisBackoffMs(60_000, 1, () => 0)).to.equal(60_000);
    expect(axisBackoffMs(60_000, 3, () => 1)).to.equal(480_000);
    expect(axisBackoffMs(60_000, 30, () => 1)).to.equal(900_000);
    expect(axisBackoffMs(3_600_000, 5, () => 1), 'a period above the ceiling is kept').to.equal(3_600_000);
  });

  it('takes its configuration from LIENTHONG_AXIS_*: off without a URL, refused without the id or the secret', () => {
    const base = { LIENTHONG_AXIS_POLL_MS: 60_000, LIENTHONG_AXIS_SYNC_MS: 3_600_000 };
    expect(axisSettings({ ...base, LIENTHONG_AXIS_URL: undefined, LIENTHONG_AXIS_SYSTEM_ID: undefined, LIENTHONG_AXIS_SECRET: undefined })).to.equal(undefined);
    expect(() => axisSettings({ ...base, LIENTHONG_AXIS_URL: 'https://truc.example.vn/api', LIENTHONG_AXIS_SYSTEM_ID: 'x', LIENTHONG_AXIS_SECRET: undefined })).to.throw(/LIENTHONG_AXIS_SECRET/);
    expect(axisSettings({ ...base, LIENTHONG_AXIS_URL: 'https://truc.example.vn/api/', LIENTHONG_AXIS_SYSTEM_ID: 'x', LIENTHONG_AXIS_SECRET: 's' })).to.include({ baseUrl: 'https://truc.example.vn/api', systemId: 'x', pollMs: 60_000 });
  });
});
