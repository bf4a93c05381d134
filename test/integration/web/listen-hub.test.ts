import { expect } from 'chai';
import { createPool, type Db } from '../../../services/db/pool';
import { ListenHub } from '../../../services/web/events/listen-hub';
import { notificationHub, type NotificationEvent } from '../../../services/web/events/notification.hub';
import { testEnv } from '../../support/test-env';

/** Resolves with the first event `arrive` is called with, or rejects after `ms`. */
function nextEvent<E>(ms: number): { arrive(e: E): void; event: Promise<E> } {
  let arrive: (e: E) => void = () => undefined;
  const event = new Promise<E>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no event')), ms);
    arrive = (e) => {
      clearTimeout(t);
      resolve(e);
    };
  });
  return { arrive, event };
}

describe('web: one LISTEN hub for live pages', function () {
  this.timeout(60_000);
  let db: Db;
  const listeners = async (application: string): Promise<number> =>
    (await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [application])).rows[0].n;

  before(() => {
    db = createPool(testEnv().databaseUrl, { max: 2 });
  });
  after(async () => {
    await db.end();
  });

  it('when a notification names one audience, then only that key hears it, and the last unsubscribe closes the LISTEN connection', async () => {
    const hub = new ListenHub<{ to: string; n: number }>({
      channel: 'lienthong_test_hub',
      application: 'lienthong-test-hub',
      databaseUrl: testEnv().databaseUrl,
      parse: (payload) => JSON.parse(payload) as { to: string; n: number },
      audience: async (e) => [e.to],
    });
    const heardByB: unknown[] = [];
    const a = nextEvent<{ to: string; n: number }>(30_000);
    const offA = await hub.subscribe('A', a.arrive);
    const offB = await hub.subscribe('B', (e) => heardByB.push(e));
    expect(await listeners('lienthong-test-hub'), 'one connection for two subscribers').to.equal(1);
    await db.query(`SELECT pg_notify('lienthong_test_hub', 'not json')`);
    await db.query(`SELECT pg_notify('lienthong_test_hub', $1)`, [JSON.stringify({ to: 'A', n: 7 })]);
    expect(await a.event).to.deep.equal({ to: 'A', n: 7 });
    // B's event, sent after A's, arrives after it on the same connection: nothing for B came before.
    const b = nextEvent<{ to: string; n: number }>(30_000);
    offB();
    const offB2 = await hub.subscribe('B', b.arrive);
    await db.query(`SELECT pg_notify('lienthong_test_hub', $1)`, [JSON.stringify({ to: 'B', n: 8 })]);
    expect(await b.event).to.deep.equal({ to: 'B', n: 8 });
    expect(heardByB, 'B heard nothing meant for A (nor the payload that is not JSON)').to.deep.equal([]);
    offA();
    offB2();
    const deadline = Date.now() + 30_000;
    while ((await listeners('lienthong-test-hub')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await listeners('lienthong-test-hub'), 'closed after the last page left').to.equal(0);
  });

  it('when a user notification is announced, then the notification hub wakes that user only', async () => {
    const hub = notificationHub(testEnv().databaseUrl);
    const mine = nextEvent<NotificationEvent>(30_000);
    const other: NotificationEvent[] = [];
    const offMine = await hub.subscribe('11111111-1111-4111-8111-111111111111', mine.arrive);
    const offOther = await hub.subscribe('22222222-2222-4222-8222-222222222222', (e) => other.push(e));
    await db.query(`SELECT pg_notify('lienthong_notification', $1)`, [JSON.stringify({ userId: '11111111-1111-4111-8111-111111111111', id: 42 })]);
    expect(await mine.event).to.deep.equal({ userId: '11111111-1111-4111-8111-111111111111', id: 42 });
    expect(other).to.deep.equal([]);
    offMine();
    offOther();
    const deadline = Date.now() + 30_000;
    while ((await listeners('lienthong-web-notifications')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await listeners('lienthong-web-notifications')).to.equal(0);
  });
});
