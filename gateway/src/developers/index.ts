// 开发者文档 at GET /developers: how integrators register, the OAuth flows, the scopes and
// error codes generated from the schema, webhook verification and limits. Offline (every file
// from the gateway) under the explorer's strict content security policy.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';
import { loadSubgraphSdl, subgraphNames, supergraphPath } from '@yuejuan/schema';
import { freeTextAllowed, persistedOnly, type GatewayConfig } from '../config.ts';
import { explorerCsp } from '../explorer/index.ts';
import { errorCodeTable } from './error-codes.ts';
import { renderPage, type PageData } from './page.ts';
import { scopedFields, scopeTable, type ScopedField } from './scopes.ts';

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = dirname(supergraphPath);
/** The integrators' contract and its field → scopes list, written by `npm run compose`. */
export const contractPath = join(schemaDir, 'contract.graphql');
export const scopesPath = join(schemaDir, 'scopes.json');

/**
 * The scoped fields the page shows: the contract's (schema/scopes.json, generated at compose
 * time from the public fields) when present, else every `@requiresScopes` of the supergraph.
 */
export function loadScopedFields(supergraphSdl: string): { fields: ScopedField[]; source: string } {
  try {
    const json = JSON.parse(readFileSync(scopesPath, 'utf8')) as {
      fields?: {
        coordinate: string;
        kind: string;
        scopes: string[][] | null;
        description?: string;
      }[];
    };
    if (Array.isArray(json.fields))
      return {
        fields: json.fields
          .filter((f) => Array.isArray(f.scopes) && f.scopes.length > 0)
          .map((f) => ({
            coordinate: f.coordinate,
            kind: (['query', 'mutation', 'subscription'].includes(f.kind)
              ? f.kind
              : 'field') as ScopedField['kind'],
            description: f.description,
            alternatives: f.scopes!,
          })),
        source: '来自接入方 schema 的字段及其 @requiresScopes',
      };
  } catch {
    // No contract yet: the supergraph's declarations.
  }
  return { fields: scopedFields(supergraphSdl), source: '来自网关当前 schema 的 @requiresScopes' };
}

/** Everything the page shows, from the sources as they are now. */
export function developerPageData(
  config: GatewayConfig,
  supergraphSdl: string,
  explorer: boolean,
): PageData {
  const { fields, source } = loadScopedFields(supergraphSdl);
  return {
    scopes: scopeTable(fields),
    scopesSource: source,
    errorCodes: errorCodeTable(
      Object.fromEntries(subgraphNames.map((name) => [name, loadSubgraphSdl(name)])),
    ),
    limits: {
      maxTokens: config.GRAPHQL_MAX_TOKENS,
      maxDepth: config.GRAPHQL_MAX_DEPTH,
      maxAliases: config.GRAPHQL_MAX_ALIASES,
      maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
      maxCost: config.GRAPHQL_MAX_COST,
      wsMaxSubscriptions: config.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      wsMaxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      persistedOnly: persistedOnly(config),
      freeText: freeTextAllowed(config),
    },
    explorer,
    contractAvailable: existsSync(contractPath),
  };
}

const files: Record<string, { path: string; type: string }> = {
  'developers.css': { path: join(here, 'developers.css'), type: 'text/css; charset=utf-8' },
  'developers.js': { path: join(here, 'developers.js'), type: 'text/javascript; charset=utf-8' },
};

/**
 * Serves the page at GET /developers (made again when the served supergraph changes), its
 * style and script, and the contract schema for download.
 */
export function mountDevelopers(
  app: Express,
  options: { config: GatewayConfig; supergraph: () => string; explorer: boolean },
): void {
  let cached: { sdl: string; html: string } | undefined;
  const page = () => {
    const sdl = options.supergraph();
    if (cached?.sdl !== sdl)
      cached = { sdl, html: renderPage(developerPageData(options.config, sdl, options.explorer)) };
    return cached.html;
  };
  app.get('/developers', (_req, res) => {
    res
      .set({
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': explorerCsp,
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
      })
      .send(page());
  });
  app.get('/developers/contract.graphql', (_req, res) => {
    if (!existsSync(contractPath)) {
      res.status(404).type('text/plain; charset=utf-8').send('接入方 schema 尚未生成。');
      return;
    }
    res
      .set({
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': 'attachment; filename="yuejuan-contract.graphql"',
        'cache-control': 'no-cache',
      })
      .sendFile(contractPath);
  });
  app.get('/developers/:file', (req, res) => {
    const file = files[req.params.file];
    if (!file) {
      res.status(404).end();
      return;
    }
    res.set({ 'content-type': file.type, 'cache-control': 'no-cache' }).sendFile(file.path);
  });
}
