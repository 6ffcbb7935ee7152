import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { generate, generatedPath } from '../../scripts/codegen.ts';
import type {
  CaseByIdQuery,
  CaseInput,
  CaseStage,
  IntakeCaseMutationVariables,
  MyBoundCasesQuery,
} from '../../src/generated/graphql.ts';

describe('the SDK’s generated types', () => {
  it('match schema/contract.graphql and operations/ (run `npm run codegen -w @yuejuan/sdk-example`)', async () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(await generate());
  });

  it('carry the contract’s types into every call (checked by tsc in npm run typecheck)', () => {
    expectTypeOf<IntakeCaseMutationVariables['input']>().toEqualTypeOf<CaseInput>();
    expectTypeOf<CaseInput['stage']>().toEqualTypeOf<CaseStage>();
    expectTypeOf<NonNullable<CaseByIdQuery['case']>['suspects']>().toEqualTypeOf<string[]>();
    type Bound = NonNullable<NonNullable<MyBoundCasesQuery['viewer']>['lawyer']>['boundCases'];
    expectTypeOf<Bound['totalCount']>().toEqualTypeOf<number>();
    const input: CaseInput = {
      departmentCaseNumber: '沪检刑诉〔2026〕1号',
      caseName: '某案',
      suspects: ['某甲'],
      // @ts-expect-error a stage the contract does not have
      stage: 'INVESTIGATION',
    };
    expect(input.caseName).toBe('某案');
    // @ts-expect-error a field outside the contract is not in the generated result type
    expect((null as unknown as NonNullable<CaseByIdQuery['case']>)?.volumes).toBeUndefined();
  });
});
