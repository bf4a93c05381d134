import { randomBytes } from 'node:crypto';
import { peerCommand } from '../../services/cli/commands/peer.command';
import { loadConfig } from '../../services/config/config';
import { verifyLedger } from '../../services/domain/ledger/ledger-verify';
import { createHub, type HubInstance } from '../../test/support/hub-instance';
import { makePdf, metadataFor } from '../../test/support/pdf.fixture';
import { unfinishedJobs } from '../../test/support/queue-probe';
import { testEnv, uniqueTag } from '../../test/support/test-env';
import { waitFor } from '../../test/support/wait';
import type { ScenarioResult } from './audit';
import type { DrillStack } from './drill-stack';
import { pipelineProgress, waitWithProgress } from './progress';

const SECRET_VAR = 'LT_DRILL_PEER_SECRET';

/**
 * Issue 22 item 5: a second Liên Thông hub (its own database on the drill's PostgreSQL server, its
 * own queue prefix, gateway and worker) serves one agency. Its gateway is stopped; `docs`
 * documents are sent to that agency from the drill's hub, which relays them (attempts recorded,
 * retried with backoff); after `downMs` the peer comes back. Every document must arrive on the peer
 * exactly once (its documents and its agency's inbox), every relay copy be delivered once on the
 * sending hub, and both ledgers verify.
 */
export async function peerHubDown(stack: DrillStack, docs: number, downMs: number): Promise<ScenarioResult> {
  process.env[SECRET_VAR] ??= randomBytes(32).toString('hex');
  const peer = await createHub({ hubId: `PEER${uniqueTag(4)}`, agencies: 1, env: { LIENTHONG_RETRY_BASE_MS: '200', LIENTHONG_RETRY_MAX_MS: '1000' } });
  try {
    return await run(stack, peer, docs, downMs);
  } finally {
    await peer.drop();
  }
}

async function run(stack: DrillStack, peer: HubInstance, docs: number, downMs: number): Promise<ScenarioResult> {
  const tagOf = (code: string) => code.split('.')[0]!;
  const here = { db: stack.db, config: loadConfig(), json: true, out: () => undefined };
  const peerId = peer.hubId;
  await peerCommand(['add', '--id', peerId, '--url', peer.baseUrl, '--secret-env', SECRET_VAR, '--codes', `${tagOf(peer.agencies[0]!.code)}.*`, '--allow-private-endpoint'], here);
  try {
    await peer.peer(['add', '--id', loadConfig().LIENTHONG_HUB_ID, '--url', stack.gateway.baseUrl, '--secret-env', SECRET_VAR, '--codes', `${tagOf(stack.sender.code)}.*`, '--allow-private-endpoint']);
    // The peer hub is down (never started yet, then stopped after its outage) while the documents go.
    stack.worker();
    const pdf = await makePdf(2, 'Drill peer relay');
    const ids: string[] = [];
    for (let i = 0; i < docs; i++) {
      const res = await fetch(`${stack.gateway.baseUrl}/v1/documents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.sender.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ metadata: metadataFor([peer.agencies[0]!.code], { subject: `Diễn tập liên thông ngang cấp ${i + 1}` }), files: [{ name: 'vb.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }] }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 202 || !body.id) throw new Error(`a drill submission was refused: ${res.status} ${JSON.stringify(body)}`);
      ids.push(body.id);
      stack.inFlight?.push(body.id);
    }
    const faultAt = Date.now();
    await waitWithProgress('a failed relay attempt per document', async () => {
      const r = await stack.db.query<{ n: number }>(
        `SELECT count(DISTINCT x.id)::int AS n FROM dispatches x JOIN dispatch_attempts a ON a.dispatch_id = x.id AND a.outcome = 'failed' WHERE x.document_id = ANY($1::uuid[])`,
        [ids],
      );
      return r.rows[0]!.n === ids.length;
    }, () => pipelineProgress(stack.db, ids), { idleMs: 60_000, maxMs: 10 * 60_000 });
    const attemptsDown = await failedAttempts(stack, ids);
    await new Promise((r) => setTimeout(r, Math.max(0, downMs - (Date.now() - faultAt))));
    await peer.start();
    const notes = [`peer down ${Math.round((Date.now() - faultAt) / 1000)} s; failed relay attempts while down: ${attemptsDown}`];
    let recoveredAt: number | null = null;
    try {
      await waitWithProgress('every relay copy delivered', async () => {
        const r = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM dispatches WHERE document_id = ANY($1::uuid[]) AND status = 'delivered'`, [ids]);
        return r.rows[0]!.n === ids.length;
      }, () => pipelineProgress(stack.db, ids), { idleMs: 90_000, maxMs: 15 * 60_000 });
      recoveredAt = Date.now();
    } catch (err) {
      notes.push((err as Error).message);
    }
    // On the peer: each document once among its documents and once in its agency's inbox.
    const onPeer = await peer.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM documents d JOIN dispatches x ON x.document_id = d.id WHERE d.sender_code = $1 AND d.subject LIKE 'Diễn tập liên thông ngang cấp %' GROUP BY d.subject`,
      [stack.sender.code],
    );
    const seen = onPeer.rows.length;
    const duplicatedOnPeer = onPeer.rows.reduce((a, r) => a + r.n - 1, 0);
    const here1 = await stack.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger WHERE document_id = ANY($1::uuid[]) AND kind = 'dispatch_delivered'`, [ids]);
    const delivered = Math.min(ids.length, here1.rows[0]!.n);
    const duplicatedHere = Math.max(0, here1.rows[0]!.n - ids.length);
    const [ledgerHere, ledgerPeer] = await Promise.all([verifyLedger(stack.db), verifyLedger(peer.db)]);
    if (!ledgerPeer.ok) notes.push(`peer ledger broken at ${ledgerPeer.firstBadId}: ${ledgerPeer.reason}`);
    return {
      name: 'peer hub down',
      sent: ids.length,
      delivered,
      duplicated: duplicatedOnPeer + duplicatedHere,
      lost: ids.length - Math.min(seen, delivered),
      recoverySeconds: recoveredAt === null ? null : Math.round((recoveredAt - faultAt) / 100) / 10,
      documents: ids.length,
      ledgerOk: ledgerHere.ok && ledgerPeer.ok,
      stuckJobs: await stuckWork(stack, peer, notes),
      deliveredWithoutBody: 0,
      notes,
    };
  } finally {
    await peerCommand(['remove', '--id', peerId], here).catch(() => undefined);
  }
}

/** Jobs and unpublished outbox rows left on either hub once the copies are delivered (waits up to 15 s for them to drain). */
async function stuckWork(stack: DrillStack, peer: HubInstance, notes: string[]): Promise<number> {
  const count = async () => {
    const jobs = [
      ...Object.values(await unfinishedJobs(stack.redis.url, testEnv().queuePrefix)),
      ...Object.values(await unfinishedJobs(stack.redis.url, peer.env.LIENTHONG_QUEUE_PREFIX!)),
    ].reduce((a, b) => a + b, 0);
    const outbox = async (db: DrillStack['db']) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`)).rows[0]!.n;
    return jobs + (await outbox(stack.db)) + (await outbox(peer.db));
  };
  try {
    return await waitFor('both hubs drained', async () => ((await count()) === 0 ? 0 : false), { timeoutMs: 15_000, recheckMs: 500 });
  } catch {
    const n = await count();
    notes.push(`${n} jobs or outbox rows left on the two hubs after 15 s`);
    return n;
  }
}

async function failedAttempts(stack: DrillStack, ids: string[]): Promise<number> {
  const r = await stack.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM dispatch_attempts a JOIN dispatches x ON x.id = a.dispatch_id WHERE x.document_id = ANY($1::uuid[]) AND a.outcome = 'failed'`,
    [ids],
  );
  return r.rows[0]!.n;
}
