import type { Express, Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { Logger } from '@yuejuan/runtime';
import { readClient } from '../services/client.ts';
import type { AuthorizationService } from './authorizations.ts';
import { errorPage } from './pages.ts';

/**
 * The OAuth routes under `/oauth`, which the gateway forwards here unchanged: the interaction
 * pages (to the portal's consent page and back) and everything else of oidc-provider. The
 * provider is told the issuer's host and scheme whatever the request said, so every address it
 * writes (discovery, redirects, cookie paths) is the public one; the gateway sets the client's
 * address in X-Forwarded-For.
 */
export function mountOAuthRoutes(
  app: Express,
  options: {
    provider: () => Provider;
    authorizations: AuthorizationService;
    issuer: string;
    consentUrl: string;
    logger: Logger;
  },
): void {
  const issuer = new URL(options.issuer);
  const fail = (res: Response, error: string, status = 400) =>
    res
      .status(status)
      .type('html')
      .setHeader('cache-control', 'no-store')
      .send(errorPage(error, ''));
  const client = (req: Request) => {
    const forwarded = req.header('x-forwarded-for')?.split(',')[0]?.trim();
    return readClient((h) =>
      h === 'x-client-ip'
        ? forwarded
        : h === 'x-client-user-agent'
          ? req.header('user-agent')
          : undefined,
    );
  };

  // The provider sends the browser here for every authorization: after checking that this
  // browser holds the interaction's cookie, on to the portal's consent page.
  app.get('/oauth/interaction/:uid', async (req, res) => {
    try {
      const details = await options.provider().interactionDetails(req, res);
      if (details.uid !== req.params.uid) return fail(res, 'session_not_found');
      const to = new URL(options.consentUrl);
      to.searchParams.set('uid', details.uid);
      res.setHeader('cache-control', 'no-store');
      res.redirect(303, to.href);
    } catch {
      fail(res, 'session_not_found');
    }
  });

  // The portal sends the browser here with the lawyer's decision (a single-use approval).
  app.get('/oauth/interaction/:uid/confirm', async (req, res) => {
    try {
      const error = await options.authorizations.confirm(
        req,
        res,
        String(req.params.uid),
        String(req.query.approval ?? ''),
        client(req),
      );
      if (error) fail(res, error);
    } catch (err) {
      options.logger.error({ err }, 'oauth confirmation failed');
      if (!res.headersSent) fail(res, 'server_error', 500);
    }
  });

  let handler: ReturnType<Provider['callback']> | undefined;
  app.use('/oauth', (req, res) => {
    req.headers.host = issuer.host;
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1);
    delete req.headers['x-forwarded-host'];
    handler ??= options.provider().callback();
    void handler(req, res);
  });
}
