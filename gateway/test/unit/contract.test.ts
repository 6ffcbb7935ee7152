import { describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { testLogger } from '@yuejuan/runtime/testing';
import { readSupergraph } from '@yuejuan/schema';
import { contractMessage, createContractGuard } from '../../src/contract.ts';

const app = {
  role: 'SYSTEM',
  procuratorateId: 'SH-310000',
  app: { clientId: 'c1', scopes: ['cases:read'] },
} as const;
const person = { role: 'ADMINISTRATOR', sessionId: 's1', administratorId: 'a1' } as const;

describe('the contract guard', () => {
  const guard = createContractGuard(readSupergraph(), testLogger('contract'));

  it('words graphql-js validation messages in Chinese, without suggestions', () => {
    expect(
      contractMessage('Cannot query field "smsMessage" on type "Query". Did you mean "case"?'),
    ).toBe('查询无效：类型 Query 上没有字段 smsMessage。');
    expect(contractMessage('Unknown type "Prosecutor".')).toBe('查询无效：没有类型 Prosecutor。');
    expect(contractMessage('Unknown argument "x" on field "Query.case".')).toBe(
      '查询无效：字段 Query.case 没有参数 x。',
    );
    expect(contractMessage('Variable "$id" is never used.')).toBe(
      '查询无效：Variable "$id" is never used.',
    );
  });

  it('refuses applications what is outside the contract, and people nothing', () => {
    const internal = parse('{ auditEvents { edges { cursor } } }');
    expect(guard.refuse(internal, app as never).map((e) => e.message)).toEqual([
      '查询无效：类型 Query 上没有字段 auditEvents。',
    ]);
    expect(guard.refuse(internal, person as never)).toEqual([]);
    expect(guard.refuse(parse('{ case(id: "1") { id } }'), app as never)).toEqual([]);
    // A fragment on a type the contract lacks is an unknown type.
    const fragment = parse('{ viewer { ... on Viewer { prosecutor { id } } } }');
    expect(guard.check(fragment).map((e) => e.extensions.code)).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);
  });

  it('names the fields of a root type the contract lacks (subscriptions)', () => {
    const errors = guard.check(parse('subscription { notificationAdded { id } }'));
    expect(errors.map((e) => [e.message, e.locations])).toEqual([
      ['查询无效：类型 Subscription 上没有字段 notificationAdded。', [{ line: 1, column: 16 }]],
    ]);
  });

  it('fails closed on a supergraph that makes no contract, and keeps a good one on reload', () => {
    const untagged = readSupergraph().replaceAll('@tag(name: "public")', '');
    const closed = createContractGuard(untagged, testLogger('contract'));
    expect(closed.check(parse('{ case(id: "1") { id } }')).map((e) => e.message)).toEqual([
      '查询无效：开放接口暂不可用。',
    ]);
    const kept = createContractGuard(readSupergraph(), testLogger('contract'));
    kept.update(untagged);
    expect(kept.check(parse('{ case(id: "1") { id } }'))).toEqual([]);
  });
});
