import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request } from 'express';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

/** Every file of the explorer, from the installed packages: nothing comes from a CDN. */
const assets: Record<string, { path: string; type: string }> = {
  'graphiql.min.css': {
    path: join(pkgDir('graphiql'), 'graphiql.min.css'),
    type: 'text/css; charset=utf-8',
  },
  'graphiql.min.js': {
    path: join(pkgDir('graphiql'), 'graphiql.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'react.production.min.js': {
    path: join(pkgDir('react'), 'umd/react.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'react-dom.production.min.js': {
    path: join(pkgDir('react-dom'), 'umd/react-dom.production.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'init.js': { path: join(here, 'init.js'), type: 'text/javascript; charset=utf-8' },
};

/** Whether a GET /graphql comes from a browser wanting a page rather than a GraphQL result. */
export const wantsExplorer = (req: Request): boolean =>
  req.method === 'GET' && !req.query.query && (req.header('accept') ?? '').includes('text/html');

/**
 * Serves GraphiQL at GET /graphql (browsers) and its files under /explorer/, with a strict
 * content security policy: scripts, styles and connections to this origin only.
 */
export function mountExplorer(app: Express): void {
  const page = readFileSync(join(here, 'page.html'), 'utf8');
  const csp =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";
  app.get('/graphql', (req, res, next) => {
    if (!wantsExplorer(req)) return next();
    res
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': csp,
        'cache-control': 'no-cache',
      })
      .send(page);
  });
  app.get('/explorer/:file', (req, res) => {
    const asset = assets[req.params.file];
    if (!asset) {
      res.status(404).end();
      return;
    }
    res
      .set({ 'content-type': asset.type, 'cache-control': 'public, max-age=3600' })
      .sendFile(asset.path);
  });
}
