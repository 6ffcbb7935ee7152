import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractOperations } from '@yuejuan/operations';
import { startStack, type Stack } from './stack.ts';
import { seedPeople, shanghai } from './fixtures.ts';
import { codeOf, post, send } from './http.ts';

const fixtureClients = fileURLToPath(
  new URL('../../clients/operations/test/fixtures/clients', import.meta.url),
);
const unknownHash = 'f'.repeat(64);

describe('persisted operations', () => {
  let stack: Stack;
  let dir: string;
  let manifestPath: string;
  let procuratorates: { hash: string; document: string };
  const byApollo = (hash: string, variables = {}) => ({
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'yuejuan-persisted-'));
    manifestPath = join(dir, 'persisted-operations.json');
    procuratorates = extractOperations({
      clientsDir: fixtureClients,
      out: manifestPath,
    }).operations.find((o) => o.name === 'Procuratorates')!;
    stack = await startStack('persisted', {
      gatewayEnv: { YUEJUAN_PERSISTED_ONLY: 'true', PERSISTED_OPERATIONS_PATH: manifestPath },
    });
    await seedPeople(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('persisted-only (YUEJUAN_PERSISTED_ONLY=true)', () => {
    it("runs a manifest operation named by Apollo's persistedQuery extension", async () => {
      const answer = await post(
        stack.url,
        byApollo(procuratorates.hash, { province: shanghai.province }),
      );
      expect(answer.status).toBe(200);
      expect(answer.json?.data).toEqual({
        procuratorates: [{ id: shanghai.id, name: shanghai.name, province: shanghai.province }],
      });
    });

    it('runs one named by documentId, with or without the sha256: prefix', async () => {
      for (const documentId of [`sha256:${procuratorates.hash}`, procuratorates.hash]) {
        const answer = await post(stack.url, {
          documentId,
          variables: { province: shanghai.province },
        });
        expect(answer.json?.data?.procuratorates, documentId).toHaveLength(1);
      }
    });

    it('answers a manifest documentId with an operationName it does not have with 400 OPERATION_NOT_FOUND, not 500 (issue 15)', async () => {
      const answer = await post(stack.url, {
        documentId: `sha256:${procuratorates.hash}`,
        operationName: 'NotThere',
        variables: { province: shanghai.province },
      });
      expect(answer.status).toBe(400);
      expect(answer.json?.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_FOUND');
    });

    it('answers an unknown hash with a clear 400 and a stable code', async () => {
      for (const body of [
        byApollo(unknownHash),
        { documentId: `sha256:${unknownHash}` },
        { ...byApollo(unknownHash), query: '{ __typename }' },
      ]) {
        const answer = await post(stack.url, body);
        expect(answer.status).toBe(400);
        expect(codeOf(answer)).toBe('PERSISTED_QUERY_NOT_FOUND');
        expect(answer.json?.errors?.[0]?.message).toMatch(/未知的持久化操作/);
      }
    });

    it('refuses a malformed hash', async () => {
      for (const documentId of ['sha256:abc', 42, 'sha1:' + 'a'.repeat(40)]) {
        const answer = await post(stack.url, { documentId });
        expect(answer.status).toBe(400);
        expect(codeOf(answer)).toBe('BAD_REQUEST');
      }
    });

    it('refuses an operation written by hand, but runs the text of a manifest operation as a client writes it', async () => {
      const handWritten = await post(stack.url, { query: '{ procuratorates { id name } }' });
      expect(handWritten.status).toBe(400);
      expect(codeOf(handWritten)).toBe('PERSISTED_QUERY_REQUIRED');
      const sameText = await post(stack.url, {
        query: procuratorates.document,
        variables: { province: shanghai.province },
      });
      expect(sameText.json?.data?.procuratorates).toHaveLength(1);
      // The source file's own text (fragment first, other layout) is the same operation.
      const asInSource = readFileSync(
        join(fixtureClients, 'portal/src/lib/graphql/procuratorate.graphql'),
        'utf8',
      );
      const fromSource = await post(stack.url, {
        query: asInSource,
        operationName: 'Procuratorates',
        variables: { province: shanghai.province },
      });
      expect(fromSource.json?.data?.procuratorates).toHaveLength(1);
      const altered = await post(stack.url, {
        query: asInSource.replace('province\n', 'province\n    cases { totalCount }\n'),
        operationName: 'Procuratorates',
      });
      expect(codeOf(altered)).toBe('PERSISTED_QUERY_REQUIRED');
    });

    it('refuses GET operations (their text is in the URL, beyond the manifest check)', async () => {
      const answer = await send(`${stack.url}?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(answer.status).toBe(405);
      expect(codeOf(answer)).toBe('METHOD_NOT_ALLOWED');
    });
  });

  describe('by environment', () => {
    it('production is persisted-only by default, with no explorer and no introspection', async () => {
      const production = await stack.startGateway({
        NODE_ENV: 'production',
        PERSISTED_OPERATIONS_PATH: manifestPath,
      });
      expect(codeOf(await post(production.url, { query: '{ __typename }' }))).toBe(
        'PERSISTED_QUERY_REQUIRED',
      );
      expect(
        (await post(production.url, byApollo(procuratorates.hash))).json?.data?.procuratorates,
      ).toHaveLength(1);
      const page = await send(production.url, { headers: { accept: 'text/html' } });
      expect(page.contentType).not.toMatch(/text\/html/);
    });

    it('YUEJUAN_EXPLORER=true opens the explorer and hand-written operations, even in production', async () => {
      const integrators = await stack.startGateway({
        NODE_ENV: 'production',
        YUEJUAN_EXPLORER: 'true',
        PERSISTED_OPERATIONS_PATH: manifestPath,
      });
      const page = await send(integrators.url, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.contentType).toMatch(/text\/html/);
      const introspection = await post(integrators.url, {
        query: '{ __type(name: "Procuratorate") { name } }',
      });
      expect(introspection.json?.data).toEqual({ __type: { name: 'Procuratorate' } });
      expect(codeOf(await post(integrators.url, byApollo(unknownHash)))).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
    });

    it('development runs hand-written operations and manifest hashes alike', async () => {
      const development = await stack.startGateway({
        NODE_ENV: 'development',
        PERSISTED_OPERATIONS_PATH: manifestPath,
      });
      expect((await post(development.url, { query: '{ __typename }' })).json?.data).toEqual({
        __typename: 'Query',
      });
      expect(
        (await post(development.url, byApollo(procuratorates.hash))).json?.data?.procuratorates,
      ).toHaveLength(1);
      // Apollo's automatic persisted queries stay off: a hash with its text registers nothing.
      const register = await post(development.url, {
        query: '{ __typename }',
        ...byApollo(unknownHash),
      });
      expect(register.json?.data).toEqual({ __typename: 'Query' });
      expect(codeOf(await post(development.url, byApollo(unknownHash)))).toBe(
        'PERSISTED_QUERY_NOT_FOUND',
      );
    });
  });
});
