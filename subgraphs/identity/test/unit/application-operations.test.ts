// Reading an administrator's source of an application's operations (no database): GraphQL
// documents in canonical form, GraphQL Code Generator's and Apollo's persisted-document
// manifests with their hashes checked, and every operation validated against the schema.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '@yuejuan/runtime';
import { parseOperations } from '../../src/services/application-operations.service.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const caseName = 'query CaseName($id: ID!) {\n  case(id: $id) {\n    id\n    caseName\n  }\n}';

const refusal = (source: string): string => {
  try {
    parseOperations(source);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_USER_INPUT');
    return (err as AppError).message;
  }
  throw new Error('not refused');
};

describe('parseOperations', () => {
  it('turns each operation of a document into its canonical form with its fragments, hashed', () => {
    const ops = parseOperations(`
      fragment C on Case { id caseName }
      query One($id: ID!) { case(id: $id) { ...C } }
      query Two($id: ID!) { case(id: $id) { stage } }
    `);
    expect(ops.map((o) => o.name)).toEqual(['One', 'Two']);
    expect(ops[0]!.document).toBe(
      'query One($id: ID!) {\n  case(id: $id) {\n    ...C\n  }\n}\n\nfragment C on Case {\n  id\n  caseName\n}',
    );
    for (const o of ops) {
      expect(o.hash).toBe(sha256(o.document));
      expect(o.canonicalHash).toBe(o.hash);
      expect(o.type).toBe('query');
    }
  });

  it('reads GraphQL Code Generator’s hash → document manifest and Apollo’s manifest, keeping their hashes', () => {
    const spaced = 'query CaseName($id: ID!) { case(id: $id) { id caseName } }';
    const [codegen] = parseOperations(JSON.stringify({ [sha256(spaced)]: spaced }));
    expect(codegen).toMatchObject({ hash: sha256(spaced), document: spaced, name: 'CaseName' });
    // Sent as text in another layout, it is found by its canonical form's hash.
    expect(codegen!.canonicalHash).toBe(sha256(caseName));
    const [apollo] = parseOperations(
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256(caseName), name: 'CaseName', type: 'query', body: caseName }],
      }),
    );
    expect(apollo).toMatchObject({ hash: sha256(caseName), name: 'CaseName' });
  });

  it('refuses what the schema does not accept, a hash that is not its document’s, and non-GraphQL, naming the entry', () => {
    expect(refusal('query Bad { viewer { nope } }')).toMatch(/“Bad”.*与接口不符.*nope/);
    expect(refusal(JSON.stringify({ [sha256('x')]: caseName }))).toMatch(/摘要与其文档不符/);
    expect(refusal(JSON.stringify({ [sha256('{')]: '{' }))).toMatch(/不是有效的 GraphQL 文档/);
    expect(refusal('{ "a": ')).toMatch(/不是有效的 JSON/);
    expect(refusal('fragment C on Case { id }')).toMatch(/没有操作/);
    expect(
      refusal('query { viewer { session { id } } } query B { viewer { session { id } } }'),
    ).toMatch(/都须命名/);
    const two = `${caseName}\nquery Other { viewer { session { id } } }`;
    expect(refusal(JSON.stringify({ [sha256(two)]: two }))).toMatch(/须恰好包含一个操作/);
  });
});
