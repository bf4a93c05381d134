import { Router } from 'express';
import { docsPageRoutes } from './docs-page';
import { openApiDocument } from './openapi-document';

/** `/v1/openapi.json` and the interactive reference at `/v1/docs`; public, like any published contract. */
export function openApiRoutes(): Router {
  const router = Router();
  const doc = openApiDocument();
  router.get('/v1/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.use(docsPageRoutes());
  return router;
}
