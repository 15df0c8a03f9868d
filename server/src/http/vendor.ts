// The camera detector's files, served from our own node_modules on our own origin: the
// student's browser never fetches code or models from a CDN. Only an allow-list is
// reachable (the library's browser bundle, the three face models the detector uses, the
// WASM backend's binaries); each address carries the package's version, so the files are
// cached for a year and an upgrade changes the address.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Router } from 'express';

type Pkg = { root: string; version: string };

// createRequire, not import.meta.resolve: Vite's module runner (the browser tests' setup) lacks the latter.
const require = createRequire(import.meta.url);

function packageOf(specifier: string, levelsUp: number): Pkg {
  let root = dirname(require.resolve(specifier));
  for (let i = 0; i < levelsUp; i++) root = dirname(root);
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return { root, version };
}

const MODELS = ['blazeface', 'facemesh', 'faceres'] as const;
const WASM = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

/** Address -> [file, content type], built once from the installed packages. */
export function vendorFiles(): Map<string, [string, string]> {
  // The exports map hides everything but the entry points, which live in <root>/dist.
  const human = packageOf('@vladmandic/human', 1);
  // No exports map: package.json resolves directly.
  const wasm = packageOf('@tensorflow/tfjs-backend-wasm/package.json', 0);
  const files = new Map<string, [string, string]>();
  const h = `/vendor/human/${human.version}`;
  files.set(`${h}/human.esm.js`, [join(human.root, 'dist/human.esm.js'), 'text/javascript; charset=utf-8']);
  for (const m of MODELS) {
    files.set(`${h}/models/${m}.json`, [join(human.root, 'models', `${m}.json`), 'application/json; charset=utf-8']);
    files.set(`${h}/models/${m}.bin`, [join(human.root, 'models', `${m}.bin`), 'application/octet-stream']);
  }
  for (const w of WASM)
    files.set(`/vendor/tfjs-wasm/${wasm.version}/${w}`, [join(wasm.root, 'dist', w), 'application/wasm']);
  return files;
}

export function vendorRouter(): Router {
  const files = vendorFiles();
  const router = Router();
  router.get(/^\/vendor\//, (req, res, next) => {
    const hit = files.get(req.path);
    if (!hit) return next();
    const [file, type] = hit;
    res.sendFile(
      file,
      {
        maxAge: '365d',
        immutable: true,
        headers: {
          'Content-Type': type,
          'X-Content-Type-Options': 'nosniff',
          // Same origin only: nothing else needs to embed these files.
          'Cross-Origin-Resource-Policy': 'same-origin',
        },
      },
      (err) => {
        if (err && !res.headersSent) next(err);
      },
    );
  });
  // Anything else under /vendor is not ours to serve (never fall through to the web app).
  router.use('/vendor', (_req, res) => {
    res.status(404).type('text/plain').send('Not found');
  });
  return router;
}
