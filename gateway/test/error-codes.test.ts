import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './stack.ts';
import { seedApplications, seedPeople } from './fixtures.ts';

describe('error codes through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack('notimpl');
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps error codes and their details through the gateway (codes survive composition)', async () => {
    const people = await seedPeople(stack);
    await seedApplications(stack, people.liSiId, 1, '沪检刑诉X');
    const theCase = (await stack.services.cases.models.Case.findOne({}).lean().exec())!;
    const token = (
      await stack.services.identity.sessions.open({
        role: 'LAWYER',
        subjectId: people.zhangSanId,
        method: 'PASSWORD',
      })
    ).token;
    const result = await stack.query(
      /* GraphQL */ `
      mutation { submitBindingApplication(input: { caseId: "${theCase._id}", lawyerRole: DEFENCE_COUNSEL, suspectName: "嫌疑人1", clientName: "嫌疑人1", clientRelation: SELF, attachmentIds: [] }) { id } }
    `,
      {},
      token,
    );
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.[0]).toMatchObject({
      message: '请上传所需的全部材料。',
      extensions: {
        code: 'BAD_USER_INPUT',
        field: 'attachmentIds',
        missingKinds: ['POWER_OF_ATTORNEY', 'LAW_FIRM_LETTER', 'LICENCE'],
        serviceName: 'cases',
      },
    });
  });
});
