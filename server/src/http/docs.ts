// A human-readable API reference: Swagger UI served from the npm package (no CDN),
// pointed at the generated document.
import express, { type Router } from 'express';
import { getAbsoluteFSPath } from 'swagger-ui-dist';

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exam Hall API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#swagger-ui' });`;

const csp =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function docsRouter(): Router {
  const router = express.Router();
  router.use('/api/docs', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    next();
  });
  router.get('/api/docs', (_req, res) => {
    res.type('html').send(page);
  });
  router.get('/api/docs/init.js', (_req, res) => {
    res.type('js').send(init);
  });
  router.use('/api/docs/assets', express.static(getAbsoluteFSPath(), { index: false, maxAge: '1d' }));
  return router;
}
