import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../../services/config/config';
import { parsePgTargets } from '../../../services/db/multi-host';
import { redisTargetOf } from '../../../services/pipeline/redis-target';

const base = { DATABASE_URL: 'postgres://lt@127.0.0.1:5432/lt', LIENTHONG_DEV_MODE: '1', LIENTHONG_MASTER_KEY: 'ab'.repeat(32) };

describe('configuration past one machine', () => {
  it('reads Redis through Sentinel: the sentinels and the master name', () => {
    const c = loadConfig({ ...base, LIENTHONG_REDIS_SENTINELS: '127.0.0.1:26379,10.0.0.2:26380', LIENTHONG_REDIS_MASTER_NAME: 'lt-main' });
    expect(c.REDIS_URL).to.equal('');
    expect(redisTargetOf(c)).to.deep.equal({ kind: 'sentinel', sentinels: [{ host: '127.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26380 }], masterName: 'lt-main', password: undefined });
  });

  it('wraps the queue prefix in a hash tag on a Redis Cluster, and keeps an explicit one', () => {
    const c = loadConfig({ ...base, LIENTHONG_REDIS_CLUSTER: 'r1:7000,r2:7000', LIENTHONG_QUEUE_PREFIX: 'lt' });
    expect(c.LIENTHONG_QUEUE_PREFIX).to.equal('{lt}');
    expect(redisTargetOf(c).kind).to.equal('cluster');
    expect(loadConfig({ ...base, LIENTHONG_REDIS_CLUSTER: 'r1:7000', LIENTHONG_QUEUE_PREFIX: '{x}' }).LIENTHONG_QUEUE_PREFIX).to.equal('{x}');
    expect(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }).LIENTHONG_QUEUE_PREFIX).to.equal('lienthong');
  });

  it('refuses no Redis at all, Sentinel with Cluster, and a malformed sentinel list, with a sentence', () => {
    expect(() => loadConfig({ ...base })).to.throw(ConfigError, /Redis is not configured/);
    expect(() => loadConfig({ ...base, LIENTHONG_REDIS_SENTINELS: 'a:1', LIENTHONG_REDIS_CLUSTER: 'b:2' })).to.throw(ConfigError, /exclude each other/);
    expect(() => loadConfig({ ...base, LIENTHONG_REDIS_SENTINELS: 'no-port-here' })).to.throw(ConfigError, /LIENTHONG_REDIS_SENTINELS/);
  });

  it('accepts a multi-host PostgreSQL URL and splits it per server, target_session_attrs read', () => {
    const url = 'postgres://lt:pw@127.0.0.1:6432,127.0.0.1:6433/lienthong?target_session_attrs=read-write&application_name=x';
    expect(loadConfig({ ...base, DATABASE_URL: url, REDIS_URL: 'redis://h:1' }).DATABASE_URL).to.equal(url);
    expect(parsePgTargets(url)).to.deep.equal({
      urls: ['postgres://lt:pw@127.0.0.1:6432/lienthong?application_name=x', 'postgres://lt:pw@127.0.0.1:6433/lienthong?application_name=x'],
      readWrite: true,
    });
    expect(parsePgTargets('postgres://lt@localhost/db?host=/run/pg')).to.deep.equal({ urls: ['postgres://lt@localhost/db?host=%2Frun%2Fpg'], readWrite: false });
    expect(() => parsePgTargets('postgres://a:1,b:2/db?target_session_attrs=standby')).to.throw(/not supported/);
  });

  it('turns named statements off for PgBouncer in transaction mode', () => {
    expect(loadConfig({ ...base, REDIS_URL: 'redis://h:1' }).LIENTHONG_DB_PREPARED_STATEMENTS).to.equal(true);
    expect(loadConfig({ ...base, REDIS_URL: 'redis://h:1', LIENTHONG_DB_PREPARED_STATEMENTS: '0' }).LIENTHONG_DB_PREPARED_STATEMENTS).to.equal(false);
  });
});
