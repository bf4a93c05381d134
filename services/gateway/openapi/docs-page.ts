import path from 'node:path';
import { Router, type Response } from 'express';

/**
 * The interactive API reference at /v1/docs: Swagger UI (swagger-ui-dist, served from
 * node_modules — no CDN, works offline) rendering /v1/openapi.json, with "Try it out" against
 * this gateway under the caller's own key (a sandbox agency's, see `lienthong sandbox create`).
 */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'", // Swagger UI sets style attributes
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const PAGE = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Liên Thông API v1 — tài liệu tham chiếu</title>
<link rel="icon" href="docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"><p style="font-family:sans-serif;margin:2rem">Đang tải tài liệu API… (OpenAPI: <a href="openapi.json">openapi.json</a>)</p></div>
<script src="docs/assets/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
`;

const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: 'openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    requestSnippetsEnabled: true,
    persistAuthorization: false
  });
});
`;

function page(res: Response, type: string, body: string): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.type(type).send(body);
}

export function docsPageRoutes(): Router {
  const router = Router();
  const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
  router.get('/v1/docs', (_req, res) => page(res, 'html', PAGE));
  router.get('/v1/docs/init.js', (_req, res) => page(res, 'text/javascript; charset=utf-8', INIT));
  router.get('/v1/docs/assets/:file', (req, res, next) => {
    const type = ASSETS.get(req.params.file);
    if (!type) return next();
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type(type).sendFile(path.join(dist, req.params.file));
  });
  return router;
}
