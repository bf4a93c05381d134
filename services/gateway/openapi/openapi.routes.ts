import { Router } from 'express';
import { openApiDocument } from './openapi-document';

/** `/v1/openapi.json` and a readable page at `/v1/docs`; public, like any published contract. */
export function openApiRoutes(): Router {
  const router = Router();
  const doc = openApiDocument();
  router.get('/v1/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.get('/v1/docs', (_req, res) => {
    const paths = doc.paths as Record<string, Record<string, { summary?: string }>>;
    const rows = Object.entries(paths)
      .flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => `<tr><td><code>${m.toUpperCase()}</code></td><td><code>${escape(p)}</code></td><td>${escape(op.summary ?? '')}</td></tr>`))
      .join('\n');
    res.type('html').send(`<!doctype html><html lang="vi"><meta charset="utf-8"><title>Liên Thông API v1</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}td{padding:.3rem .6rem;border-bottom:1px solid #ddd}</style>
<h1>Liên Thông API v1</h1><p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI 3.1).
Auth: <code>Authorization: Bearer &lt;api key&gt;</code>.</p><table>${rows}</table></html>`);
  });
  return router;
}

function escape(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
