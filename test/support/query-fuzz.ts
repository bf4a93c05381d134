import fc from 'fast-check';
import { openApiDocument } from '../../services/gateway/openapi/openapi-document';

/** A GET operation of the OpenAPI document with its query parameters. */
export interface QueryOperation {
  method: string;
  path: string;
  query: string[];
}

/** Every operation of the published document that takes query parameters. */
export function queryOperations(doc = openApiDocument()): QueryOperation[] {
  const out: QueryOperation[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      if (query.length) out.push({ method: method.toUpperCase(), path, query });
    }
  }
  return out;
}

/** Values that have broken query parsers before: dates PostgreSQL refuses, huge numbers, arrays. */
const EDGES = [
  '', ' ', '0', '-1', '1e309', 'NaN', 'Infinity', '99999999999999999999', '2147483648', '0000-01-01', '9999-12-31', '2026-02-30', '2026-13-01',
  '0001-01-01', '1969-12-31', 'null', 'undefined', '[]', '{}', 'true', 'group:', 'group:x', 'group:../../', '000.00.00.H15', 'Q5', 'csv', 'pdf',
  '\u0000', '\u202E', '../', '%', '%00', 'a'.repeat(5000), 'quarter', 'month', 'agency', '__proto__', 'constructor',
];

const value: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...EDGES),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.base64String({ maxLength: 80 }).map((s) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
);

/** One query: some of the operation's parameters, a value each (sometimes repeated, making an array). */
export function queryArbitrary(op: QueryOperation): fc.Arbitrary<[string, string][]> {
  const pair = fc.tuple(fc.constantFrom(...op.query, ...op.query, 'unknownParam'), value);
  return fc.array(pair, { minLength: 1, maxLength: op.query.length + 2 });
}

export function queryString(pairs: [string, string][]): string {
  const q = new URLSearchParams();
  for (const [k, v] of pairs) q.append(k, v);
  return q.toString();
}

export interface QueryFuzzReport {
  inputs: number;
  serverErrors: number;
  byStatus: Record<string, number>;
  /** 4xx answers that are not `{"error": {"code": …}}`. */
  withoutErrorCode: number;
  /** The first few 5xx requests, to reproduce. */
  samples: string[];
}

/**
 * Random strings through every query parameter of every route of the OpenAPI document, against a
 * running gateway: `runs` requests in all, spread over the operations (fast-check, seeded). Path
 * parameters get `pathValues` (real ids of the caller's documents) or a fixed value.
 */
export async function runQueryFuzz(
  baseUrl: string,
  apiKey: string,
  opts: { runs: number; seed: number; pathValues?: Record<string, string>; concurrency?: number },
): Promise<QueryFuzzReport> {
  const ops = queryOperations();
  const report: QueryFuzzReport = { inputs: 0, serverErrors: 0, byStatus: {}, withoutErrorCode: 0, samples: [] };
  const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => opts.pathValues?.[name] ?? ({ year: '2026', quarter: 'Q1' } as Record<string, string>)[name] ?? name);
  const inputs = fc.sample(
    fc.integer({ min: 0, max: ops.length - 1 }).chain((i) => queryArbitrary(ops[i]!).map((pairs) => ({ op: ops[i]!, pairs }))),
    { numRuns: opts.runs, seed: opts.seed },
  );
  let next = 0;
  const lane = async () => {
    while (next < inputs.length) {
      const { op, pairs } = inputs[next++]!;
      const url = `${baseUrl}${fill(op.path)}?${queryString(pairs)}`;
      report.inputs++;
      let status: number;
      let text = '';
      try {
        const res = await fetch(url, { method: op.method, headers: { authorization: `Bearer ${apiKey}` }, signal: AbortSignal.timeout(30_000) });
        status = res.status;
        text = await res.text();
      } catch (err) {
        status = 599;
        text = (err as Error).message;
      }
      report.byStatus[status] = (report.byStatus[status] ?? 0) + 1;
      if (status >= 500) {
        report.serverErrors++;
        if (report.samples.length < 10) report.samples.push(`${status} ${op.method} ${url.slice(baseUrl.length, baseUrl.length + 300)} → ${text.slice(0, 200)}`);
      } else if (status >= 400) {
        let code: unknown;
        try {
          code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        } catch {
          code = undefined;
        }
        if (typeof code !== 'string') report.withoutErrorCode++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, lane));
  return report;
}
