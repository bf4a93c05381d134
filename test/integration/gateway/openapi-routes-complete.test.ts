import { expect } from 'chai';
import type { Express } from 'express';
import { loadConfig } from '../../../services/config/config';
import { createPool, type Db } from '../../../services/db/pool';
import { createApp } from '../../../services/gateway/app';
import { openApiDocument } from '../../../services/gateway/openapi/openapi-document';
import { createRedis } from '../../../services/pipeline/redis';
import type IORedis from 'ioredis';

/**
 * The OpenAPI document must name every /v1 route the gateway serves, so an integrator's generated
 * client (clients/typescript, or any other generator) cannot miss one. The routes are read from
 * the Express app itself (its router stack), not from a list kept by hand.
 */

/** Routes outside the agency-key API, on purpose: served files of the reference page, the peer-hub protocol (§ Federation). */
const NOT_IN_THE_DOCUMENT: Record<string, string> = {
  'GET /v1/openapi.json': 'the document itself',
  'GET /v1/docs': 'the reference page rendered from the document',
  'GET /v1/docs/init.js': 'a file of the reference page',
  'GET /v1/docs/assets/{file}': 'files of the reference page',
  'POST /v1/peer/agencies': 'peer hubs only, HMAC-authenticated (README § Federation)',
};

type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/** "METHOD /path/{param}" of every route in the app, nested routers included (all mounted at the root). */
function appRoutes(app: Express): Set<string> {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [m, on] of Object.entries(layer.route.methods)) {
            if (on && m !== '_all') out.add(`${m.toUpperCase()} ${p.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\/\*[A-Za-z0-9_]+$/, '/{*}')}`);
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(root.stack);
  return out;
}

function documentedOperations(): Set<string> {
  const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
  return new Set(Object.entries(paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
}

type Op = { security?: unknown[]; responses: Record<string, { description?: string; headers?: Record<string, unknown>; content?: Record<string, unknown> }> };

describe('OpenAPI document: complete against the routes the gateway registers', function () {
  this.timeout(60_000);
  let db: Db;
  let redis: IORedis;
  let routes: Set<string>;

  before(() => {
    // Admission on, so the gate's route is registered as in production.
    const config = loadConfig({ ...process.env, LIENTHONG_ADMISSION_MAX_DELAY_MS: '60000' });
    db = createPool(config.DATABASE_URL, { max: 1 });
    redis = createRedis(config, 'producer');
    routes = appRoutes(createApp({ db, redis, config }));
  });
  after(async () => {
    await redis.quit().catch(() => undefined);
    await db.end();
  });

  it('when the app is built, then every /v1 route it registers is an operation of the OpenAPI document', () => {
    const v1 = [...routes].filter((r) => r.split(' ')[1]!.startsWith('/v1/'));
    expect(v1.length, 'the walk found the /v1 routes').to.be.at.least(20);
    const documented = documentedOperations();
    const missing = v1.filter((r) => !documented.has(r) && !(r in NOT_IN_THE_DOCUMENT));
    expect(missing, 'routes missing from the OpenAPI document').to.deep.equal([]);
    // ... and the exceptions are still routes (a stale exception would hide nothing, but says something false).
    for (const r of Object.keys(NOT_IN_THE_DOCUMENT)) expect(routes.has(r), `${r} is still a route`).to.equal(true);
  });

  it('when the document names a /v1 operation, then the app serves it (no operation without a route)', () => {
    const extra = [...documentedOperations()].filter((op) => op.split(' ')[1]!.startsWith('/v1/') && !routes.has(op));
    expect(extra).to.deep.equal([]);
  });

  it('when an operation takes an API key, then it lists 401, 403 FORBIDDEN and 429 RATE_LIMITED with Retry-After', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, Op>>;
    for (const [p, ops] of Object.entries(paths)) {
      if (!p.startsWith('/v1/')) continue;
      for (const [m, op] of Object.entries(ops)) {
        if (op.security && op.security.length === 0) continue;
        const key = `${m.toUpperCase()} ${p}`;
        expect(op.responses['401']?.description, `${key} 401`).to.contain('UNAUTHENTICATED');
        expect(op.responses['403']?.description, `${key} 403`).to.contain('FORBIDDEN');
        expect(op.responses['429']?.description, `${key} 429`).to.contain('RATE_LIMITED');
        expect(op.responses['429']?.headers, `${key} 429 Retry-After`).to.have.property('Retry-After');
      }
    }
  });

  it('when the server can answer a status for its own reasons, then the operation lists it', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, Op>>;
    const want: [string, string, string, string?][] = [
      ['post', '/v1/inbox/{dispatchId}/status', '413', 'PAYLOAD_TOO_LARGE'],
      ['post', '/v1/documents/{id}/revoke', '413', 'PAYLOAD_TOO_LARGE'],
      ['post', '/v1/registers/books', '413', 'PAYLOAD_TOO_LARGE'],
      ['post', '/v1/paper-dispatches', '413', 'PAYLOAD_TOO_LARGE'],
      ['get', '/v1/reports/quarterly/{year}/{quarter}', '404', 'NOT_FOUND'],
      ['post', '/v1/edxml', '503', 'OVERLOADED'],
      ['post', '/v1/documents', '503', 'OVERLOADED'],
      ['get', '/v1/documents/{id}/receipts/{eventId}', '404', 'NOT_FOUND'],
    ];
    for (const [m, p, status, code] of want) {
      const r = paths[p]?.[m]?.responses[status];
      expect(r?.description, `${m.toUpperCase()} ${p} ${status}`).to.contain(code);
      if (status === '503') expect(r?.headers, `${m.toUpperCase()} ${p} 503 Retry-After`).to.have.property('Retry-After');
    }
    expect(paths['/v1/documents/{id}/receipts/{eventId}']!.get!.responses['200']!.content).to.have.property('application/pkcs7-mime');
  });

  it('when a receiver reads the webhooks section, then it finds the document push and the status webhook in both formats', () => {
    const webhooks = (openApiDocument() as { webhooks?: Record<string, { post: { requestBody: { content: Record<string, { schema: { required?: string[] } }> } } }> }).webhooks;
    expect(webhooks).to.have.keys('documentPush', 'statusWebhook');
    expect(webhooks!.documentPush!.post.requestBody.content['application/json']!.schema.required).to.include.members(['deliveryId', 'document', 'files']);
    expect(webhooks!.statusWebhook!.post.requestBody.content['application/json']!.schema.required).to.include.members(['deliveryId', 'dispatchId', 'code', 'at']);
    expect(webhooks!.statusWebhook!.post.requestBody.content).to.have.property('application/xml');
  });
});
