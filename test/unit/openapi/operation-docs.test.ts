import { expect } from 'chai';
import { openApiDocument } from '../../../services/gateway/openapi/openapi-document';

type Operation = {
  summary?: string;
  description?: string;
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
  'x-codeSamples'?: { lang: string; source: string }[];
};

/** Letters only Vietnamese writes (with their tone marks): a description without any is not Vietnamese. */
const VIETNAMESE = /[ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i;

function operations(): [string, Operation][] {
  const paths = openApiDocument().paths as Record<string, Record<string, Operation>>;
  return Object.entries(paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${p}`, op]));
}

describe('OpenAPI reference: every operation is documented for integrators (issue 24)', () => {
  const ops = operations();

  it('when the document is built, then it has the operations of API v1, health and metrics', () => {
    expect(ops.length).to.be.at.least(19);
    expect(ops.map(([k]) => k)).to.include.members(['POST /v1/documents', 'GET /health/live', 'GET /metrics', 'GET /v1/outbox/overdue', 'GET /v1/search']);
  });

  for (const [key, op] of operations()) {
    it(`${key}: a Vietnamese description with English beside it, curl and TypeScript examples`, () => {
      expect(op.description ?? '', 'description').to.match(VIETNAMESE);
      expect(op.description, 'English beside').to.contain('*English:*');
      const samples = op['x-codeSamples'] ?? [];
      const curl = samples.find((s) => s.lang === 'curl');
      const ts = samples.find((s) => s.lang === 'TypeScript');
      expect(curl?.source, 'curl example').to.match(/^curl /);
      expect(ts?.source, 'TypeScript example').to.match(/await|const /);
      // the path of the example is the operation's own (path parameters as shell variables)
      const literal = key.split(' ')[1]!.replace(/\{[^}]+\}.*$/, '');
      expect(curl!.source).to.contain(literal);
    });

    it(`${key}: request and response schemas, and the error codes of each error status`, () => {
      for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
        expect(media.schema, `request schema of ${type}`).to.be.an('object');
      }
      const responses = Object.entries(op.responses ?? {});
      const success = responses.filter(([s]) => /^2/.test(s));
      expect(success, 'a 2xx response').to.not.be.empty;
      for (const [status, r] of success) {
        const content = Object.entries(r.content ?? {});
        expect(content, `content of ${status}`).to.not.be.empty;
        for (const [type, media] of content) if (/json/.test(type)) expect(media.schema, `schema of ${status} ${type}`).to.be.an('object');
      }
      const needsKey = op.security === undefined || op.security.length > 0;
      if (needsKey) expect(op.responses?.['401']?.description, '401 with its codes').to.contain('UNAUTHENTICATED');
      for (const [status, r] of responses.filter(([s]) => /^[45]/.test(s))) {
        if (status === '503' && !needsKey) continue; // readiness: the body is the health report
        expect(r.description, `codes of ${status}`).to.match(/`[A-Z_]+`/);
      }
    });
  }
});
