import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedPeople, shanghai } from './fixtures.ts';
import { codeOf, internalsIn, post, send, type RawAnswer } from './http.ts';

/** `n` levels of selection, cycling lawyer → bindingApplications → edges → node → lawyer … */
function nested(levels: number): string {
  const cycle = ['bindingApplications', 'edges', 'node', 'lawyer'];
  const leaf: Record<string, string> = {
    lawyer: 'id',
    bindingApplications: 'totalCount',
    edges: '__typename',
    node: 'id',
  };
  const fields = ['lawyer'];
  while (fields.length < levels - 1) fields.push(cycle[(fields.length - 1) % cycle.length]!);
  const open = fields.map((f, i) => (i === 0 ? 'lawyer(id: "L-1")' : f)).join(' { ');
  return `query Deep { ${open} { ${leaf[fields.at(-1)!]} ${' }'.repeat(fields.length)} }`;
}

const aliases = (n: number) =>
  `query Aliases { ${Array.from({ length: n }, (_, i) => `a${i}: procuratorates { id }`).join(' ')} }`;

/** A refusal for a limit: 400, the stable code, the kind, and no figure that tells the limit. */
function expectLimit(answer: RawAnswer, kind: string) {
  expect(answer.status).toBe(400);
  expect(answer.json?.data ?? undefined).toBeUndefined();
  expect(answer.json?.errors?.[0]?.extensions).toMatchObject({
    code: 'QUERY_TOO_COMPLEX',
    limit: kind,
  });
  expect(answer.json?.errors?.[0]?.message).not.toMatch(/\d/);
}

describe('the gateway under abuse', () => {
  let stack: Stack;
  let internalUrls: string[];
  let token: string;
  const logLines: string[] = [];
  beforeAll(async () => {
    stack = await startStack('abuse', { gatewayLogLines: logLines });
    const people = await seedPeople(stack);
    token = await lawyerToken(stack, people.zhangSanId);
    internalUrls = Object.values(stack.urls);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('operation limits', () => {
    it('refuses an alias bomb, and allows the same operation under the limit', async () => {
      expectLimit(await post(stack.url, { query: aliases(16) }), 'aliases');
      const within = await post(stack.url, { query: aliases(15) });
      expect(within.status).toBe(200);
      expect(within.json?.data?.a14).toContainEqual({ id: shanghai.id });
    });

    it('counts aliases inside fragments each time the fragment is spread', async () => {
      const fragment = `fragment Many on Query { ${Array.from({ length: 8 }, (_, i) => `f${i}: procuratorates { id }`).join(' ')} }`;
      expectLimit(
        await post(stack.url, {
          query: `query Spread { ...Many x: viewer { nextStep } ... on Query { ...Many } } ${fragment}`,
        }),
        'aliases',
      );
    });

    it('refuses deep nesting past the depth limit, and allows it at the limit', async () => {
      expectLimit(await post(stack.url, { query: nested(11) }), 'depth');
      const atLimit = await post(stack.url, { query: nested(10) });
      expect(atLimit.status).toBe(200);
      expect(codeOf(atLimit)).toBe('UNAUTHENTICATED'); // validated and run: refused only for want of a session
    });

    it('does not let fragments hide depth', async () => {
      const query = `query Hidden { lawyer(id: "L-1") { ...A } }
        fragment A on Lawyer { bindingApplications { edges { node { lawyer { ...B } } } } }
        fragment B on Lawyer { bindingApplications { edges { node { lawyer { ...C } } } } }
        fragment C on Lawyer { bindingApplications { edges { node { id } } } }`;
      expectLimit(await post(stack.url, { query }), 'depth');
    });

    it('refuses too many directives', async () => {
      const query = `query Directives { procuratorates { ${'id @include(if: true) '.repeat(11)} } }`;
      expectLimit(await post(stack.url, { query }), 'directives');
    });

    it('refuses costly operations: a fragment bomb and a huge page size', async () => {
      const levels = Array.from(
        { length: 12 },
        (_, i) => `fragment F${i} on Procuratorate { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`,
      );
      const bomb = `query Bomb { procuratorates { ...F0 } } ${levels.join(' ')} fragment F12 on Procuratorate { id name }`;
      expectLimit(await post(stack.url, { query: bomb }), 'cost');
      expectLimit(
        await post(stack.url, {
          query:
            'query Huge { bindingReviewQueue(first: 100000) { totalCount edges { node { id } } } }',
        }),
        'cost',
      );
    });

    it('counts page sizes passed as variables as it counts literals (issue 15)', async () => {
      const nested = (size: string) =>
        `bindingReviewQueue(first: ${size}) { edges { node { id lawyer { id bindingApplications(first: ${size}) { edges { node { id status } } } } } } }`;
      const literal = `query Lit { ${nested('100')} }`;
      expectLimit(await post(stack.url, { query: literal }), 'cost');
      const variables = `query Var($n: Int!) { ${nested('$n')} }`;
      expectLimit(await post(stack.url, { query: variables, variables: { n: 100 } }), 'cost');
      const defaulted = `query Def($n: Int = 100) { ${nested('$n')} }`;
      expectLimit(await post(stack.url, { query: defaulted }), 'cost');
      const small = await post(stack.url, { query: variables, variables: { n: 2 } });
      expect(small.json?.errors?.map((e) => e.extensions?.code) ?? []).not.toContain(
        'QUERY_TOO_COMPLEX',
      );
    });

    it('answers a body whose content-encoding lies with 400, not 500, and logs no stack (issue 15)', async () => {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const answer = await send(stack.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-encoding': encoding },
          body: '{"query":"{ procuratorates { id } }"}',
        });
        expect(answer.status, encoding).toBeGreaterThanOrEqual(400);
        expect(answer.status, encoding).toBeLessThan(500);
        expect(answer.json?.errors?.[0]?.extensions?.code, encoding).toMatch(
          /^(BAD_REQUEST|UNSUPPORTED_MEDIA_TYPE)$/,
        );
      }
      expect(logLines.filter((l) => /unexpected error in the HTTP pipeline/.test(l))).toEqual([]);
    });

    it('answers an operationName the document does not have with 400 and a clear code (issue 15)', async () => {
      const answer = await post(stack.url, {
        query: 'query A { procuratorates { id } }',
        operationName: 'B',
      });
      expect(answer.status).toBe(400);
      expect(answer.json?.errors?.[0]?.extensions?.code).toBe('OPERATION_NOT_FOUND');
      expect(answer.json?.errors?.[0]?.message).toMatch(/[\u4e00-\u9fa5]/);
    });

    it('stops the parser at the token limit with a 400, not a 500', async () => {
      expectLimit(
        await post(stack.url, { query: `query Long { procuratorates { ${'id '.repeat(3000)} } }` }),
        'tokens',
      );
    });
  });

  describe('the HTTP edge', () => {
    it('refuses a body over 64 KB with a JSON 413, whether its length is declared or streamed', async () => {
      const big = JSON.stringify({
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(64 * 1024) },
      });
      const declared = await post(stack.url, big);
      expect(declared.status).toBe(413);
      expect(declared.contentType).toMatch(/^application\/json/);
      expect(codeOf(declared)).toBe('PAYLOAD_TOO_LARGE');
      const chunks = new ReadableStream({
        start(c) {
          for (let i = 0; i < 70; i++)
            c.enqueue(new TextEncoder().encode(i === 0 ? big.slice(0, 1024) : 'x'.repeat(1024)));
          c.close();
        },
      });
      const streamed = await send(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunks,
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(codeOf(streamed)).toBe('PAYLOAD_TOO_LARGE');
    });

    it('accepts a body just under the limit', async () => {
      const answer = await post(stack.url, {
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(60 * 1024) },
      });
      expect(answer.status).toBe(200);
      expect(answer.json?.data).toEqual({ __typename: 'Query' });
    });

    it('answers malformed JSON with a JSON 400 and no stack', async () => {
      for (const body of [
        '{"query": ',
        '{"query": "{ __typename }"',
        'nul',
        '"a string"',
        '{"query": "\\u12"}',
      ]) {
        const answer = await post(stack.url, body);
        expect(answer.status, body).toBe(400);
        expect(answer.contentType, body).toMatch(/^application\/json/);
        expect(internalsIn(answer.text, internalUrls), body).toEqual([]);
      }
    });

    it('refuses batches (batching is off)', async () => {
      const answer = await post(stack.url, [
        { query: '{ __typename }' },
        { query: '{ __typename }' },
      ]);
      expect(answer.status).toBe(400);
      expect(answer.json?.data ?? undefined).toBeUndefined();
    });

    it('refuses simple-request content types (CSRF) before running anything', async () => {
      const logout = JSON.stringify({ query: 'mutation { logout }' });
      for (const type of [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
      ]) {
        const answer = await send(stack.url, {
          method: 'POST',
          headers: { 'content-type': type, authorization: `Bearer ${token}` },
          body: logout,
        });
        expect(answer.status, type).toBe(415);
        expect(codeOf(answer), type).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
      // The session the forged requests tried to end is still alive.
      const viewer = await stack.query('{ viewer { session { role } } }', {}, token);
      expect(viewer.data).toEqual({ viewer: { session: { role: 'LAWYER' } } });
    });

    it('refuses a GET operation without a preflight header (CSRF), runs it with one', async () => {
      const url = `${stack.url}?query=${encodeURIComponent('{ __typename }')}`;
      const bare = await send(url, { method: 'GET' });
      expect(bare.status).toBe(400);
      expect(bare.json?.data ?? undefined).toBeUndefined();
      const preflighted = await send(url, {
        method: 'GET',
        headers: { 'apollo-require-preflight': 'true' },
      });
      expect(preflighted.json?.data).toEqual({ __typename: 'Query' });
    });

    it('answers unknown paths and a POST without a body in JSON, never HTML', async () => {
      const missing = await send(new URL('/nowhere', stack.url).href, { method: 'GET' });
      expect(missing.status).toBe(404);
      expect(codeOf(missing)).toBe('NOT_FOUND');
      const empty = await send(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      expect(empty.status).toBe(400);
      expect(empty.contentType).toMatch(/^application\/json/);
    });
  });

  describe('in production', () => {
    let production: Awaited<ReturnType<Stack['startGateway']>>;
    beforeAll(async () => {
      production = await stack.startGateway({
        NODE_ENV: 'production',
        YUEJUAN_PERSISTED_ONLY: 'false',
      });
    });

    it('refuses introspection', async () => {
      const answer = await post(production.url, { query: '{ __schema { types { name } } }' });
      expect(answer.status).toBe(400);
      expect(answer.json?.data ?? undefined).toBeUndefined();
      expect(answer.text).not.toContain('Procuratorate');
    });

    it('gives no field, argument or enum suggestions (development does)', async () => {
      const probes = [
        '{ procuratorates { nam } }',
        '{ procuratorates(onlineReadingOnli: true) { id } }',
        '{ bindingReviewQueue(status: SUBMITED) { totalCount } }',
      ];
      for (const query of probes) {
        const prod = await post(production.url, { query });
        expect(prod.status, query).toBe(400);
        expect(prod.text, query).not.toMatch(/Did you mean/);
        const dev = await post(stack.url, { query });
        expect(dev.text, query).toMatch(/Did you mean/);
      }
    });

    it('keeps every limit', async () => {
      expectLimit(await post(production.url, { query: aliases(16) }), 'aliases');
      expectLimit(await post(production.url, { query: nested(11) }), 'depth');
    });
  });
});
