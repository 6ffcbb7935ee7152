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
  // The OAuth client of the explorer's sign-in (an ES module, no dependencies).
  'oauth4webapi.js': {
    path: join(pkgDir('oauth4webapi'), 'build/index.js'),
    type: 'text/javascript; charset=utf-8',
  },
  'init.js': { path: join(here, 'init.js'), type: 'text/javascript; charset=utf-8' },
  'explorer.css': { path: join(here, 'explorer.css'), type: 'text/css; charset=utf-8' },
};

/** The explorer's OAuth redirect URI on the gateway's origin (register it on a law-firm app). */
export const explorerCallbackPath = '/explorer/callback';

/** The explorer's content security policy: scripts, styles and connections to this origin only. */
export const explorerCsp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Whether a GET /graphql comes from a browser wanting a page rather than a GraphQL result. */
export const wantsExplorer = (req: Request): boolean =>
  req.method === 'GET' && !req.query.query && (req.header('accept') ?? '').includes('text/html');

/**
 * Serves GraphiQL at GET /graphql (browsers) and its files under /explorer/, with a strict
 * content security policy: scripts, styles and connections to this origin only. The same page
 * at /explorer/callback finishes an OAuth sign-in (the authorization code arrives there).
 */
export function mountExplorer(app: Express): void {
  const page = readFileSync(join(here, 'page.html'), 'utf8');
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': explorerCsp,
    'cache-control': 'no-cache',
    // The callback's address holds the code until the page replaces it: never sent elsewhere.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
  };
  app.get('/graphql', (req, res, next) => {
    if (!wantsExplorer(req)) return next();
    res.set(headers).send(page);
  });
  app.get(explorerCallbackPath, (_req, res) => {
    res.set({ ...headers, 'cache-control': 'no-store' }).send(page);
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
