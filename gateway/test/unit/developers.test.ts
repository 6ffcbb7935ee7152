// The developer page's generated parts follow their sources: a scope declared in the schema
// shows up with the fields it opens, and every error code the platform can answer is in the
// table with a Chinese explanation (a new code without one fails here, not silently on the page).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSupergraph, loadSubgraphSdl, subgraphNames } from '@yuejuan/schema';
import { apiScopes } from '@yuejuan/platform';
import { loadGatewayConfig } from '../../src/config.ts';
import { developerPageData } from '../../src/developers/index.ts';
import { documentedCodes, errorCodeTable, gatewayCodes } from '../../src/developers/error-codes.ts';
import { renderPage } from '../../src/developers/page.ts';
import { scopedFields, scopeTable } from '../../src/developers/scopes.ts';

const config = loadGatewayConfig({ YUEJUAN_INTERNAL_SECRET: 'x'.repeat(32) });
const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** Every .ts file under `dir` (recursively), without generated code. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'node_modules' || name === 'generated' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the scopes table', () => {
  it('lists a scope the schema declares, with the fields it opens (alternatives and conjunctions)', () => {
    const sdl = /* GraphQL */ `
      type Query {
        "Monthly statistics."
        reports: [String!]!
          @requiresScopes(scopes: [["reports:read"], ["cases:read", "audit:read"]])
        plain: String
      }
      type Mutation {
        archive(id: ID!): Boolean @requiresScopes(scopes: [["reports:write"]])
      }
    `;
    const fields = scopedFields(sdl);
    expect(fields.map((f) => [f.coordinate, f.kind])).toEqual([
      ['Query.reports', 'query'],
      ['Mutation.archive', 'mutation'],
    ]);
    const rows = scopeTable(fields);
    const reports = rows.find((r) => r.name === 'reports:read')!;
    expect(reports.definition).toBeUndefined();
    expect(reports.fields.map((f) => f.coordinate)).toEqual(['Query.reports']);
    // Platform scopes stay listed, in their order, before the schema-only ones.
    expect(rows.slice(0, apiScopes.length).map((r) => r.name)).toEqual(
      apiScopes.map((s) => s.name),
    );
    const html = renderPage({
      ...developerPageData(config, readSupergraph(), true),
      scopes: rows,
    });
    expect(html).toContain('data-scope="reports:read"');
    expect(html).toContain('<code>Query.reports</code>');
    expect(html).toContain('须同时持有 audit:read');
    expect(html).toContain('<code>Mutation.archive</code>');
  });

  it('shows every scope of the served schema and the fields declaring it', () => {
    const data = developerPageData(config, readSupergraph(), true);
    const html = renderPage(data);
    const declared = new Set(scopedFields(readSupergraph()).flatMap((f) => f.alternatives.flat()));
    expect(declared.size).toBeGreaterThan(5);
    for (const scope of declared) expect(html).toContain(`data-scope="${scope}"`);
    for (const scope of apiScopes) expect(html).toContain(`data-scope="${scope.name}"`);
    // A field an application reads with a scope is named under it.
    const profile = data.scopes.find((r) => r.name === 'profile:read')!;
    expect(profile.fields.map((f) => f.coordinate)).toContain('Lawyer.licenceNumber');
    expect(
      data.scopes.find((r) => r.name === 'cases:write')!.fields.map((f) => f.coordinate),
    ).toContain('Mutation.intakeCase');
  });
});

describe('the error codes table', () => {
  const sdls = Object.fromEntries(subgraphNames.map((n) => [n, loadSubgraphSdl(n)]));
  const table = errorCodeTable(sdls);
  const codes = new Set(table.map((r) => r.code));

  it('reads the codes an SDL header documents, not abbreviations or step-up purposes', () => {
    const sdl = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7")

# The thing. Errors: NOT_FOUND, SLOT_GONE (\`slotId\`), STEP_UP_REQUIRED (\`purpose\`: BIND_CASE),
# PAYLOAD_TOO_LARGE 413 for a PDF over HTTP POST.
type Query { a: Int }
enum StepUpPurpose {
  BIND_CASE
}`;
    expect(documentedCodes(sdl, new Set(['BIND_CASE']))).toEqual([
      'NOT_FOUND',
      'SLOT_GONE',
      'STEP_UP_REQUIRED',
      'PAYLOAD_TOO_LARGE',
    ]);
    const rows = errorCodeTable({ things: sdl });
    expect(rows.find((r) => r.code === 'SLOT_GONE')).toEqual({
      code: 'SLOT_GONE',
      sources: ['things'],
      explanation: undefined,
    });
    expect(rows.some((r) => r.code === 'BIND_CASE')).toBe(false);
    // A code without an explanation is marked on the page (and fails the test below).
    const html = renderPage({
      ...developerPageData(config, readSupergraph(), true),
      errorCodes: rows,
    });
    expect(html).toMatch(
      /data-code="SLOT_GONE"><th scope="row"><code>SLOT_GONE<\/code><\/th><td>（说明待补充）/,
    );
  });

  it('explains, in Chinese, every code the SDLs document and the gateway answers', () => {
    expect(table.length).toBeGreaterThan(50);
    expect(table.filter((r) => !r.explanation).map((r) => r.code)).toEqual([]);
    for (const code of [
      'INVALID_TOKEN',
      'INSUFFICIENT_SCOPE',
      'RATE_LIMITED',
      'QUERY_TOO_COMPLEX',
      'SLOT_FULL',
    ])
      expect(codes).toContain(code);
    expect(table.find((r) => r.code === 'SLOT_FULL')!.sources).toEqual(['reading']);
  });

  it('has every code a subgraph throws and every code literal of the gateway', () => {
    const thrown = new Set<string>();
    for (const file of sources(join(repo, 'subgraphs')))
      for (const m of readFileSync(file, 'utf8').matchAll(/AppError\(\s*'([A-Z_]+)'/g))
        thrown.add(m[1]!);
    expect(thrown.size).toBeGreaterThan(30);
    const gateway = new Set<string>();
    for (const file of sources(join(repo, 'gateway', 'src')))
      for (const m of readFileSync(file, 'utf8').matchAll(
        /(?:\bcode: |sendError\([^,]+, *\d+, *)'([A-Z][A-Z_]+)'/g,
      ))
        gateway.add(m[1]!);
    expect(gateway.size).toBeGreaterThan(8);
    expect([...thrown].filter((c) => !codes.has(c))).toEqual([]);
    expect([...gateway].filter((c) => !gatewayCodes.includes(c))).toEqual([]);
  });
});
