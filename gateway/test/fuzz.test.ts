// Property-based fuzzing of the running gateway with fast-check: thousands of generated
// operations (from the real schema, well-formed or subtly not) and raw bodies. Whatever comes
// in, no answer may be a 5xx, name an internal address or carry a stack trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isUnionType,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { startStack, type Stack } from './stack.ts';
import { lawyerToken, seedApplications, seedPeople, shanghai } from './fixtures.ts';
import { internalsIn, post, send } from './http.ts';

/**
 * The generator's choices, read from a tape fast-check draws (numbers, strings, JSON values):
 * cheap to make thousands of, and shrinking the tape towards zeros shrinks the operation
 * towards the simplest one that still fails.
 */
class Choices {
  private i = 0;
  private s = 0;
  constructor(
    private readonly tape: number[],
    private readonly strings: string[],
    private readonly json: unknown,
  ) {}
  /** 0..max inclusive. */
  int(max: number): number {
    return max <= 0 ? 0 : (this.tape[this.i++ % Math.max(this.tape.length, 1)] ?? 0) % (max + 1);
  }
  /** True one time in `n` (first tape values are zeros when shrunk: rare branches off). */
  oneIn(n: number): boolean {
    return this.int(n - 1) === n - 1;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length - 1)]!;
  }
  text(): string {
    return this.strings.length ? this.strings[this.s++ % this.strings.length]! : '';
  }
  value(): unknown {
    return this.json;
  }
}

const names = ['a', 'b', 'x1', 'node', 'id', '__typename', 'procuratorates', 'nope'];
const oddLiterals = [
  'null',
  '1',
  '"x"',
  'true',
  '[]',
  '{}',
  'NOT_A_VALUE',
  '-9007199254740993',
  '1e400',
  '$undeclared',
];

/** A literal for an input type: usually of the right type, sometimes not. */
function literal(c: Choices, type: GraphQLInputType, ids: string[], depth = 0): string {
  if (c.oneIn(40)) return c.pick(oddLiterals);
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable))
    return `[${Array.from({ length: c.int(3) }, () => literal(c, nullable.ofType, ids, depth + 1)).join(', ')}]`;
  if (isEnumType(nullable))
    return c.oneIn(20) ? 'UNKNOWN_VALUE' : c.pick(nullable.getValues()).name;
  if (isInputObjectType(nullable)) {
    if (depth > 3) return '{}';
    const fields = Object.values(nullable.getFields()).filter(() => c.int(1) === 0);
    return `{ ${fields.map((f) => `${f.name}: ${literal(c, f.type, ids, depth + 1)}`).join(', ')} }`;
  }
  switch (nullable.name) {
    case 'Int':
      return String(c.pick([c.int(200) - 5, 2 ** 31, -(2 ** 31) - 1, 2 ** 40, 0]));
    case 'Float':
      return String(c.pick([0.5, -1e308, 3, 1e-9]));
    case 'Boolean':
      return c.pick(['true', 'false']);
    case 'ID':
      return JSON.stringify(c.oneIn(3) ? c.text() : c.pick(ids));
    default:
      return JSON.stringify(c.oneIn(4) ? c.pick(ids) : c.text());
  }
}

/** A selection set on `type`, up to `depth` levels, with aliases, arguments, directives and typos. */
function selection(c: Choices, type: GraphQLCompositeType, ids: string[], depth: number): string {
  if (isUnionType(type)) {
    const members = type.getTypes().filter(() => c.int(1) === 0);
    return `{ __typename ${members.map((m) => `... on ${m.name} ${selection(c, m, ids, depth - 1)}`).join(' ')} }`;
  }
  const fields = Object.values(type.getFields());
  const parts: string[] = [];
  for (let i = 0, count = 1 + c.int(3); i < count; i++) {
    if (c.oneIn(40)) {
      parts.push(c.pick(names));
      continue;
    } // maybe no such field
    const field = c.pick(fields);
    const alias = c.oneIn(5) ? `${c.pick(names)}${i}: ` : '';
    const args = field.args.filter(
      (a) => c.int(3) > 0 || (a.type.toString().endsWith('!') && !c.oneIn(4)),
    );
    const argText = args.length
      ? `(${args.map((a) => `${a.name}: ${literal(c, a.type, ids)}`).join(', ')})`
      : '';
    const directive = c.oneIn(7)
      ? ` @${c.pick(['include', 'skip', 'include', 'skip', 'deprecated'])}(if: ${c.pick(['true', 'false', 'true', 'false', '1'])})`
      : '';
    const named = getNamedType(field.type);
    const sub = isLeafType(named)
      ? c.oneIn(50)
        ? ' { id }'
        : ''
      : depth <= 0
        ? c.oneIn(2)
          ? ' { __typename }'
          : ''
        : ` ${selection(c, named as GraphQLCompositeType, ids, depth - 1)}`;
    parts.push(`${alias}${field.name}${argText}${directive}${sub}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** One generated operation: a query (mostly) or a mutation from the schema, sometimes with a variable. */
function operation(
  c: Choices,
  schema: GraphQLSchema,
  ids: string[],
): { query: string; variables?: unknown } {
  const mutation = c.oneIn(5) ? schema.getMutationType() : null;
  const keyword = mutation ? 'mutation' : 'query';
  const body = selection(c, mutation ?? schema.getQueryType()!, ids, c.int(6));
  if (!c.oneIn(5)) return { query: `${keyword} Fuzz ${body}` };
  // A variable declared and sent with a random JSON value (often of the wrong type).
  const type = c.pick(['ID!', 'String', 'Int', '[ID!]', 'Boolean!', 'BindingStatus']);
  return {
    query: `${keyword} Fuzz($v: ${type}) ${body.replace(/: ("[^"]*"|-?\d+)/, ': $v')}`,
    variables: { v: c.value() },
  };
}

describe('fuzzing the gateway (fast-check)', () => {
  let stack: Stack;
  let schema: GraphQLSchema;
  let ids: string[];
  let tokens: (string | undefined)[];
  let internalUrls: string[];
  const statuses = new Map<number, number>();

  /** The invariant: below 500, nothing internal in the answer. */
  function check(answer: { status: number; text: string }, sent: unknown) {
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    expect(answer.status, JSON.stringify(sent)).toBeLessThan(500);
    expect(
      internalsIn(answer.text, internalUrls),
      `${JSON.stringify(sent)} → ${answer.text}`,
    ).toEqual([]);
  }

  beforeAll(async () => {
    stack = await startStack('fuzz');
    const people = await seedPeople(stack);
    await seedApplications(stack, people.zhangSanId, 5);
    const lawyer = await lawyerToken(stack, people.zhangSanId);
    tokens = [undefined, undefined, lawyer, lawyer, lawyer, 'x'.repeat(43)];
    ids = [people.zhangSanId, people.liSiId, people.prosecutorId, shanghai.id, 'missing-id'];
    internalUrls = Object.values(stack.urls);
    const introspection = await stack.query<IntrospectionQuery>(getIntrospectionQuery());
    schema = buildClientSchema(introspection.data!);
  });
  afterAll(async () => {
    console.log(
      `fuzz answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
    await stack?.stop();
  });

  it('generated operations from the schema: no 5xx, no internals', async () => {
    const tape = fc.tuple(
      fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 300 }),
      fc.array(
        fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 12 })),
        { maxLength: 8 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    await fc.assert(
      fc.asyncProperty(tape, fc.nat({ max: 5 }), async ([numbers, strings, json], who) => {
        const body = operation(new Choices(numbers, strings, json), schema, ids);
        const token = tokens[who]; // 2/6 anonymous, 3/6 a lawyer, 1/6 a forged token
        const answer = await post(
          stack.url,
          body,
          token ? { authorization: `Bearer ${token}` } : {},
        );
        check(answer, body);
      }),
      { numRuns: 2000 },
    );
  }, 300_000);

  it('raw bodies, fields of the wrong type and odd content types: no 5xx, no internals', async () => {
    const requestBody = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 3 }),
      fc
        .record(
          {
            query: fc.oneof(
              fc.string({ maxLength: 200 }),
              fc.jsonValue({ maxDepth: 2 }),
              fc.constant('{ __typename }'),
            ),
            variables: fc.jsonValue({ maxDepth: 2 }),
            operationName: fc.jsonValue({ maxDepth: 1 }),
            extensions: fc.oneof(
              fc.jsonValue({ maxDepth: 2 }),
              fc.record({
                persistedQuery: fc.record({
                  version: fc.jsonValue({ maxDepth: 0 }),
                  sha256Hash: fc.oneof(
                    fc.string(),
                    fc.string({
                      unit: fc.constantFrom(...'0123456789abcdef'),
                      minLength: 64,
                      maxLength: 64,
                    }),
                  ),
                }),
              }),
            ),
            documentId: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 0 })),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/graphql',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
    );
    const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(
        requestBody,
        contentType,
        method,
        fc.string({ maxLength: 60 }),
        async (body, type, verb, search) => {
          const url =
            verb === 'GET'
              ? `${stack.url}?query=${encodeURIComponent(body)}&x=${encodeURIComponent(search)}`
              : stack.url;
          const answer = await send(url, {
            method: verb,
            headers: { 'content-type': type },
            ...(verb === 'GET' || verb === 'OPTIONS' ? {} : { body }),
          });
          check(answer, { verb, type, body });
        },
      ),
      { numRuns: 1500 },
    );
  }, 300_000);
});
