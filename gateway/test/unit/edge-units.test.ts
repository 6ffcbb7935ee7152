import { describe, expect, it } from 'vitest';
import { GraphQLError } from 'graphql';
import { testLogger } from '@yuejuan/runtime/testing';
import { clientAddress, proxyTrust } from '../../src/context.ts';
import { classifySubgraphFailure, cleanHeaderValue } from '../../src/data-source.ts';
import { createGatewayFormatError, leaksInternals } from '../../src/errors.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { documentHash, loadManifest, resolvePersisted } from '../../src/persisted.ts';

describe("the error formatter's last guard", () => {
  it('recognises addresses, URLs, connection strings and stacks', () => {
    for (const text of [
      'request to http://10.0.3.7:4002/graphql failed',
      'connect ECONNREFUSED 127.0.0.1:27017',
      'mongodb://db.internal:27017/yuejuan_cases',
      'connect to [fd00::12]:4001',
      'getaddrinfo ENOTFOUND cases.svc',
      'Error: boom\n    at handler (/srv/app/server.ts:12:3)',
      'at localhost',
    ])
      expect(leaksInternals(text), text).toBe(true);
  });

  it('leaves ordinary messages alone', () => {
    for (const text of [
      '该功能尚未开放（Mutation.createLoginTicket）。',
      'Int cannot represent non-integer value: [1]',
      'Cannot query field "nam" on type "Procuratorate".',
      '案件〔2025〕1001号',
      'Variable "$id" of required type "ID!" was not provided.',
    ])
      expect(leaksInternals(text), text).toBe(false);
  });

  const format = createGatewayFormatError(testLogger('format'), false);
  it('hides a leaking message but keeps the code and the subgraph name', () => {
    const formatted = format(
      {
        message: 'connect ECONNREFUSED 10.1.2.3:5432',
        extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'cases', detail: 'x' },
      },
      new Error('x'),
    );
    expect(formatted).toEqual({
      message: '系统繁忙，请稍后再试。',
      extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'cases' },
    });
  });

  it("drops Apollo's response and exception extensions", () => {
    const error = new GraphQLError('403: Forbidden', {
      extensions: {
        code: 'FORBIDDEN',
        response: { url: 'x', status: 403 },
        exception: { stacktrace: [] },
      },
    });
    expect(
      format({ message: error.message, extensions: error.extensions }, error).extensions,
    ).toEqual({ code: 'FORBIDDEN' });
  });
});

describe('the client address forwarded to subgraphs', () => {
  const none = proxyTrust('');
  const proxy = proxyTrust('10.0.0.2, 10.0.0.3');
  const withSecret = proxyTrust('127.0.0.1', 's'.repeat(32));

  it('is the socket peer unless that peer is a listed proxy (none by default)', () => {
    expect(clientAddress('::ffff:192.0.2.10', '203.0.113.7', none)).toBe('192.0.2.10');
    expect(clientAddress('10.0.0.9', '203.0.113.7', proxy)).toBe('10.0.0.9'); // not a listed proxy: its header is the client's word
    expect(clientAddress('10.0.0.2', '198.51.100.1, 203.0.113.7', proxy)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:10.0.0.2', '198.51.100.1, 203.0.113.7, 10.0.0.3', proxy)).toBe(
      '203.0.113.7',
    ); // past a second trusted hop
    expect(clientAddress('10.0.0.2', 'garbage', proxy)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', undefined, proxy)).toBe('10.0.0.2');
    expect(clientAddress(undefined, undefined, none)).toBeUndefined();
  });

  it('with a proxy secret, believes a listed proxy only when it presents the secret', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.7', withSecret)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.7', withSecret, 'wrong')).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '203.0.113.7', withSecret, 's'.repeat(32))).toBe(
      '203.0.113.7',
    );
  });

  it('forwards user agents printable and bounded', () => {
    expect(cleanHeaderValue('Mozilla/5.0\r\nX-Injected: 1')).toBe('Mozilla/5.0X-Injected: 1');
    expect(cleanHeaderValue('a'.repeat(300))).toHaveLength(256);
    expect(cleanHeaderValue('\u0001\u0002')).toBeUndefined();
  });

  it('tells a timeout from an unreachable or refusing subgraph', () => {
    expect(classifySubgraphFailure(new DOMException('timed out', 'TimeoutError'))).toBe(
      'SUBGRAPH_TIMEOUT',
    );
    expect(classifySubgraphFailure(new TypeError('fetch failed'))).toBe('SUBGRAPH_UNAVAILABLE');
    expect(classifySubgraphFailure(new Error('401: Unauthorized'), { status: 401 })).toBe(
      'SUBGRAPH_ERROR',
    );
    expect(classifySubgraphFailure(new Error('502: Bad Gateway'), { status: 502 })).toBe(
      'SUBGRAPH_UNAVAILABLE',
    );
  });
});

describe('resolving persisted operations', () => {
  const document = 'query Viewer {\n  viewer {\n    nextStep\n  }\n}';
  const manifest = new Map([[documentHash(document), document]]);

  it('puts the manifest text in place of the hash and removes the hash', () => {
    const body: Record<string, unknown> = {
      documentId: `sha256:${documentHash(document)}`,
      extensions: { other: 1 },
    };
    expect(resolvePersisted(body, { manifest, freeText: false, maxTokens: 1000 })).toBeNull();
    expect(body).toEqual({ query: document, extensions: { other: 1 } });
  });

  it('trusts the manifest over a text sent with a known hash', () => {
    const body: Record<string, unknown> = {
      query: '{ lawyer(id: "x") { name } }',
      extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(document) } },
    };
    expect(resolvePersisted(body, { manifest, freeText: false, maxTokens: 1000 })).toBeNull();
    expect(body.query).toBe(document);
  });

  it("matches a sent text by its canonical form and runs the manifest's text", () => {
    const policy = { manifest, freeText: false, maxTokens: 1000 };
    const sameOperation: Record<string, unknown> = {
      query: 'query Other { __typename }\nquery Viewer { viewer { nextStep } }',
      operationName: 'Viewer',
    };
    expect(resolvePersisted(sameOperation, policy)).toBeNull();
    expect(sameOperation.query).toBe(document);
    expect(
      resolvePersisted({ query: 'query Viewer { viewer { nextStep lawyer { name } } }' }, policy)
        ?.code,
    ).toBe('PERSISTED_QUERY_REQUIRED');
    expect(
      resolvePersisted(
        { query: 'query Viewer { viewer { nextStep } }', operationName: 'Missing' },
        policy,
      )?.code,
    ).toBe('PERSISTED_QUERY_REQUIRED');
    expect(
      resolvePersisted({ query: `query Viewer { viewer { ${'nextStep '.repeat(2000)} } }` }, policy)
        ?.code,
    ).toBe('PERSISTED_QUERY_REQUIRED');
  });
});

describe('the persisted manifest', () => {
  it('refuses a manifest whose keys are not the hashes of their documents', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'yuejuan-manifest-'));
    const out = join(outDir, 'tampered.json');
    const document = 'query Viewer {\n  viewer {\n    nextStep\n  }\n}';
    writeFileSync(
      out,
      JSON.stringify({ [documentHash(document)]: document.replace('nextStep', 'lawyer { name }') }),
    );
    expect(() => loadManifest(out)).toThrow(/is not the sha256 of its document/);
    rmSync(outDir, { recursive: true, force: true });
  });
});
