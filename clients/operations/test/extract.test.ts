import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, print } from 'graphql';
import {
  apiSchema,
  buildManifest,
  extractDocuments,
  extractOperations,
  findSourceFiles,
  manifestPath,
} from '../src/extract.ts';
import { documentHash } from '@yuejuan/schema';

/** The manifest as a map (sha256 → document). */
const loadManifest = (path: string) =>
  new Map(Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>));

const fixtureClients = fileURLToPath(new URL('./fixtures/clients', import.meta.url));
const schema = apiSchema();

describe("extracting the clients' operations into the persisted manifest", () => {
  const outDir = mkdtempSync(join(tmpdir(), 'yuejuan-manifest-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('finds sources under clients/*/src only, skipping generated and installed code', () => {
    const files = findSourceFiles(fixtureClients).map((f) => f.slice(fixtureClients.length + 1));
    expect(files).toEqual([
      'console/src/queue.ts',
      'portal/src/lib/graphql/procuratorate.graphql',
      'portal/src/lib/graphql/viewer.ts',
      'portal/src/routes/cases/+page.svelte',
    ]);
  });

  it('takes gql/graphql tagged templates and /* GraphQL */ literals, not other strings', () => {
    const svelte = readFileSync(
      join(fixtureClients, 'portal/src/routes/cases/+page.svelte'),
      'utf8',
    );
    expect(extractDocuments(svelte, 'page.svelte').map((d) => d.text.trim())).toEqual([
      'mutation Logout { logout }',
      'query ConsentText { currentConsentText { version items } }',
    ]);
  });

  it('writes one document per named operation with the fragments it uses, keyed by sha256', () => {
    const out = join(outDir, 'persisted-operations.json');
    const result = extractOperations({ clientsDir: fixtureClients, out });
    expect(result.operations.map((o) => `${o.type} ${o.name}`)).toEqual([
      'query ConsentText',
      'mutation Logout',
      'query Procuratorate',
      'query Procuratorates',
      'query ReviewQueue',
      'query Viewer',
    ]);
    const manifest = loadManifest(out);
    expect(manifest.size).toBe(6);
    for (const [hash, document] of manifest) expect(documentHash(document)).toBe(hash);
    // The console's queue uses the portal's fragment: the document carries it, printed canonically.
    const queue = result.operations.find((o) => o.name === 'ReviewQueue')!;
    expect(queue.document).toContain('fragment ProcuratorateName on Procuratorate');
    expect(queue.document).toBe(print(parse(queue.document)));
    expect(manifest.get(queue.hash)).toBe(queue.document);
    // A second run over unchanged sources is byte-identical (reviewable diffs, --check works).
    expect(extractOperations({ clientsDir: fixtureClients, out, check: true }).upToDate).toBe(true);
  });

  it('writes an empty manifest when there are no clients yet', () => {
    const out = join(outDir, 'empty.json');
    expect(extractOperations({ clientsDir: join(outDir, 'no-clients'), out }).operations).toEqual(
      [],
    );
    expect(loadManifest(out).size).toBe(0);
  });

  it('fails the build, naming the file, on operations the gateway could never run', () => {
    const build = (text: string) => () =>
      buildManifest([{ file: 'clients/portal/src/bad.graphql', text }], schema);
    expect(build('query { viewer { nextStep } }')).toThrow(/bad\.graphql: an anonymous query/);
    expect(build('query Broken { viewer { ')).toThrow(/bad\.graphql: Syntax Error/);
    expect(build('query Gone { viewer { noSuchField } }')).toThrow(
      /operation Gone does not match the schema/,
    );
    expect(build('query Lonely { viewer { ...Missing } }')).toThrow(
      /uses fragment Missing, defined nowhere/,
    );
    // Operations assembled at run time cannot be persisted: the build says why.
    const dynamic = () =>
      buildManifest(
        [
          {
            file: 'clients/console/src/login.ts',
            text: 'const q = /* GraphQL */ `mutation Login { r: ${field}(u: 1) { token } }`;',
          },
        ],
        schema,
      );
    expect(dynamic).toThrow(/login\.ts: Syntax Error.*persisted operations must be static text/);
    expect(() =>
      buildManifest([
        { file: 'a.graphql', text: 'query Same { viewer { nextStep } }' },
        { file: 'b.graphql', text: 'query Same { currentConsentText { version } }' },
      ]),
    ).toThrow(/b\.graphql: operation Same also defined differently in a\.graphql/);
  });

  it('the committed manifest is a fresh extraction of the real clients (regenerate: npm run extract -w @yuejuan/operations)', () => {
    const clients = fileURLToPath(new URL('../..', import.meta.url));
    const result = extractOperations({
      clientsDir: clients,
      out: manifestPath,
      check: true,
    });
    expect(
      result.upToDate,
      'clients/operations/persisted-operations.json is stale: run npm run extract -w @yuejuan/operations',
    ).toBe(true);
    // All three apps and what they share contribute; the browser tests' harness does not.
    expect(new Set(result.operations.map((o) => o.file.split('/')[1]))).toEqual(
      new Set(['console', 'portal', 'shared', 'verifier']),
    );
    expect(loadManifest(manifestPath).size).toBe(result.operations.length);
  });

  it("takes gql.tada's graphql(`…`) calls, with or without fragments, and finds the fragment by name", () => {
    const code = [
      'const Row = graphql(`fragment Row on Lawyer { id name }`);',
      'const q = graphql(\n  `\n  query Lawyers { viewer { lawyer { ...Row } } }\n`,\n  [Row],\n);',
      "const s = graphql('subscription Live { notificationAdded { id } }');",
      'const notAQuery = paragraph(`query Nope { x }`);',
    ].join('\n');
    expect(extractDocuments(code, 'page.ts').map((d) => d.text.trim())).toEqual([
      'fragment Row on Lawyer { id name }',
      'query Lawyers { viewer { lawyer { ...Row } } }',
      'subscription Live { notificationAdded { id } }',
    ]);
    const { operations } = buildManifest([{ file: 'page.ts', text: code }]);
    expect(operations.map((o) => o.document.replace(/\s+/g, ' '))).toContain(
      'query Lawyers { viewer { lawyer { ...Row } } } fragment Row on Lawyer { id name }',
    );
  });

  it('does not mistake a URL ending in /graphql followed by a template for a graphql tag', () => {
    const code =
      'const url = `ws://${host}:4000/graphql`;\nconst x = `a;b`;\nconst q = graphql`query Ok { viewer { nextStep } }`;';
    expect(extractDocuments(code, 'browser.ts').map((d) => d.text)).toEqual([
      'query Ok { viewer { nextStep } }',
    ]);
  });
});
