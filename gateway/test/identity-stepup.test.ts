// Step-up verification through the real gateway: a session that is not identity-verified (phone +
// SMS code) is refused binding, reading applications and downloads until its own verifier
// confirms a challenge of that purpose; a challenge of another purpose does not count, and one
// confirmed challenge serves one operation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from './stack.ts';
import { seedPeople, shanghai, zhangSan } from './fixtures.ts';
import {
  activate,
  codes,
  createTestClock,
  gql,
  ok,
  register,
  secretsIn,
  smsLogin,
  smsText,
  startIdentityStack,
  stepUp,
  tinyPdf,
  until,
  upload,
  type Verifier,
} from './identity-fixtures.ts';

const submitBinding = /* GraphQL */ `
  mutation B($input: BindingApplicationInput!) {
    submitBindingApplication(input: $input) {
      id
      status
    }
  }
`;
const approveBinding = /* GraphQL */ `
  mutation A($id: ID!) {
    approveBindingApplication(id: $id) {
      id
      status
    }
  }
`;
const terms = /* GraphQL */ `
  {
    readingTerms {
      notice {
        version
      }
      undertaking {
        version
      }
    }
  }
`;
const submitReading = /* GraphQL */ `
  mutation R($input: ReadingApplicationInput!) {
    submitReadingApplication(input: $input) {
      id
      status
    }
  }
`;
const approveReading = /* GraphQL */ `
  mutation A($id: ID!) {
    approveReadingApplication(id: $id) {
      id
      appointment {
        id
      }
    }
  }
`;
const publish = /* GraphQL */ `
  mutation P($id: ID!) {
    publishPackage(appointmentId: $id) {
      id
      status
    }
  }
`;
const appointment = /* GraphQL */ `
  query Q($id: ID!) {
    appointment(id: $id) {
      id
      package {
        id
        status
      }
    }
  }
`;
const acknowledge = /* GraphQL */ `
  mutation K($id: ID!) {
    acknowledgeReceipt(appointmentId: $id) {
      id
      receiptAcknowledgedAt
    }
  }
`;
const unlock = /* GraphQL */ `
  mutation U($id: ID!, $password: String!) {
    unlockDownload(appointmentId: $id, password: $password) {
      url
      expiresAt
    }
  }
`;

describe('step-up verification of a non-verified session, through the gateway', () => {
  const clock = createTestClock();
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let zhang: Verifier;
  let sms: string;
  let prosecutor: string;
  const caseIds: string[] = [];
  const attachmentIds: string[] = [];
  const bindingInput = (caseId: string, suspect: string) => ({
    caseId,
    lawyerRole: 'DEFENCE_COUNSEL',
    suspectName: suspect,
    clientName: suspect,
    clientRelation: 'SELF',
    attachmentIds,
  });

  const expectStepUp = (
    answer: { errors?: { message: string; extensions?: Record<string, unknown> }[] },
    purpose: string,
  ) => {
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['STEP_UP_REQUIRED']);
    expect(answer.errors![0]!.extensions!.purpose).toBe(purpose);
    expect(answer.errors![0]!.message).toMatch(/[\u4e00-\u9fa5]/);
  };

  beforeAll(async () => {
    stack = await startIdentityStack('idstepup', clock);
    people = await seedPeople(stack);
    for (const n of [1, 2])
      await stack.services.cases.cases.importCase(shanghai.id, {
        departmentCaseNumber: `沪检刑诉〔2025〕${300 + n}号`,
        caseName: `步骤案件${n}`,
        suspects: [`嫌疑人${n}`],
        stage: 'PROSECUTION_REVIEW',
      });
    caseIds.push(
      ...(
        await stack.services.cases.models.Case.find({ caseName: /^步骤案件/ })
          .sort({ caseName: 1 })
          .lean()
          .exec()
      ).map((c) => c._id),
    );
    zhang = await activate(stack, zhangSan, '13600000001');
    await register(stack, zhang, clock);
    clock.advance(61); // one code per phone per 60 s: the activation code was the last
    sms = await smsLogin(stack, zhang.phone);
    prosecutor = (
      await stack.services.identity.sessions.open({
        role: 'PROSECUTOR',
        subjectId: people.prosecutorId,
        procuratorateId: shanghai.id,
        method: 'PROSECUTOR',
      })
    ).token;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is an SMS-code session that is not identity-verified', async () => {
    const viewer = ok(
      await gql(
        stack,
        /* GraphQL */ `
          {
            viewer {
              session {
                method
                identityVerified
              }
            }
          }
        `,
        {},
        { token: sms },
      ),
    );
    expect(viewer.data.viewer.session).toEqual({ method: 'SMS_CODE', identityVerified: false });
  });

  it('refuses binding a case until a BIND_CASE step-up; a READING_APPLICATION step-up does not count; one step-up binds once', async () => {
    for (const kind of ['POWER_OF_ATTORNEY', 'LAW_FIRM_LETTER', 'LICENCE']) {
      const uploaded = await upload(
        stack,
        `/uploads/attachments?kind=${kind}&fileName=${encodeURIComponent(`${kind}.pdf`)}`,
        sms,
        tinyPdf(kind),
      );
      expect(uploaded.status).toBe(201);
      attachmentIds.push(uploaded.body.id);
    }
    const input = (caseId: string) =>
      bindingInput(caseId, caseId === caseIds[0] ? '嫌疑人1' : '嫌疑人2');
    expectStepUp(
      await gql(stack, submitBinding, { input: input(caseIds[0]!) }, { token: sms }),
      'BIND_CASE',
    );

    await stepUp(stack, sms, zhang, 'READING_APPLICATION', clock);
    expectStepUp(
      await gql(stack, submitBinding, { input: input(caseIds[0]!) }, { token: sms }),
      'BIND_CASE',
    );
    expect(
      await stack.services.cases.models.BindingApplication.countDocuments({
        lawyerId: people.zhangSanId,
      }).exec(),
    ).toBe(0);

    await stepUp(stack, sms, zhang, 'BIND_CASE', clock);
    const bound = ok(
      await gql(stack, submitBinding, { input: input(caseIds[0]!) }, { token: sms }),
    );
    expect(bound.data.submitBindingApplication.status).toBe('SUBMITTED');
    expectStepUp(
      await gql(stack, submitBinding, { input: input(caseIds[1]!) }, { token: sms }),
      'BIND_CASE',
    );
    expect(
      await stack.services.cases.models.BindingApplication.countDocuments({
        lawyerId: people.zhangSanId,
      }).exec(),
    ).toBe(1);
    ok(
      await gql(
        stack,
        approveBinding,
        { id: bound.data.submitBindingApplication.id },
        { token: prosecutor },
      ),
    );
  });

  it('refuses a reading application until a READING_APPLICATION step-up; a BIND_CASE step-up does not count', async () => {
    clock.advance(301); // the unused READING_APPLICATION step-up of the test before goes stale (STEP_UP_FRESH_SECONDS)
    const { notice, undertaking } = ok(await gql(stack, terms)).data.readingTerms;
    const input = {
      caseId: caseIds[0],
      noticeVersion: notice.version,
      undertakingVersion: undertaking.version,
    };
    expectStepUp(await gql(stack, submitReading, { input }, { token: sms }), 'READING_APPLICATION');
    await stepUp(stack, sms, zhang, 'BIND_CASE', clock);
    expectStepUp(await gql(stack, submitReading, { input }, { token: sms }), 'READING_APPLICATION');
    await stepUp(stack, sms, zhang, 'READING_APPLICATION', clock);
    const applied = ok(await gql(stack, submitReading, { input }, { token: sms }));
    expect(applied.data.submitReadingApplication.status).toBe('SUBMITTED');
  });

  it('refuses the download password until a DOWNLOAD step-up; other purposes do not count; the step-up is used once', async () => {
    const applicationId = (await until(
      async () =>
        ok(
          await gql(
            stack,
            /* GraphQL */ `
              query L($id: ID!) {
                lawyer(id: $id) {
                  readingApplications {
                    edges {
                      node {
                        id
                      }
                    }
                  }
                }
              }
            `,
            { id: people.zhangSanId },
            { token: sms },
          ),
        ).data.lawyer.readingApplications.edges[0]?.node.id,
    )) as string;
    const appointmentId = ok(
      await gql(stack, approveReading, { id: applicationId }, { token: prosecutor }),
    ).data.approveReadingApplication.appointment.id as string;
    const volume = await upload(
      stack,
      `/uploads/volumes?caseId=${caseIds[0]}&title=${encodeURIComponent('第1卷 诉讼文书')}`,
      prosecutor,
      tinyPdf('Volume one'),
    );
    expect(volume.status).toBe(201);
    ok(await gql(stack, publish, { id: appointmentId }, { token: prosecutor }));
    await until(
      async () =>
        ok(await gql(stack, appointment, { id: appointmentId }, { token: sms })).data.appointment
          .package?.status === 'READY',
      60_000,
    );
    const password = /卷宗下载密码：([A-Za-z0-9]+)，/.exec(
      await smsText(stack, zhang.phone, 'PACKAGE_READY'),
    )![1]!;
    ok(await gql(stack, acknowledge, { id: appointmentId }, { token: sms }));

    clock.advance(301); // the unused step-ups of the tests before go stale
    expectStepUp(
      await gql(stack, unlock, { id: appointmentId, password }, { token: sms }),
      'DOWNLOAD',
    );
    await stepUp(stack, sms, zhang, 'BIND_CASE', clock);
    await stepUp(stack, sms, zhang, 'READING_APPLICATION', clock);
    expectStepUp(
      await gql(stack, unlock, { id: appointmentId, password }, { token: sms }),
      'DOWNLOAD',
    );
    await stepUp(stack, sms, zhang, 'DOWNLOAD', clock);
    const granted = ok(await gql(stack, unlock, { id: appointmentId, password }, { token: sms }));
    expect(granted.data.unlockDownload.url).toMatch(/^\/downloads\//);
    expect(secretsIn(granted.text, [password])).toEqual([]);
    expectStepUp(
      await gql(stack, unlock, { id: appointmentId, password }, { token: sms }),
      'DOWNLOAD',
    );
  });

  it('keeps a challenge to the session that asked: another session of the same lawyer cannot read it, its confirmation does not carry over', async () => {
    clock.advance(301); // the resend interval of the first session's code; the step-ups before go stale
    const other = await smsLogin(stack, zhang.phone);
    const challengeId = await stepUp(stack, sms, zhang, 'BIND_CASE', clock);
    expect(
      codes(
        await gql(
          stack,
          /* GraphQL */ `
            query C($id: ID!) {
              verificationChallenge(id: $id) {
                id
                status
              }
            }
          `,
          { id: challengeId },
          { token: other },
        ),
      ),
    ).toEqual(['CHALLENGE_INVALID']);
    expectStepUp(
      await gql(
        stack,
        submitBinding,
        { input: bindingInput(caseIds[1]!, '嫌疑人2') },
        { token: other },
      ),
      'BIND_CASE',
    );
    expect(
      ok(
        await gql(
          stack,
          submitBinding,
          { input: bindingInput(caseIds[1]!, '嫌疑人2') },
          { token: sms },
        ),
      ).data.submitBindingApplication.status,
    ).toBe('SUBMITTED');
  });

  it("refuses a phone-code session to revoke the lawyer's verifier device until a MANAGE_DEVICES step-up (issue 14)", async () => {
    clock.advance(301);
    const revoke = /* GraphQL */ `
      mutation R($id: ID!) {
        revokeDevice(id: $id) {
          id
          revokedAt
        }
      }
    `;
    expectStepUp(
      await gql(stack, revoke, { id: zhang.deviceId }, { token: sms }),
      'MANAGE_DEVICES',
    );
    expect(
      (await stack.services.identity.models.Device.findById(zhang.deviceId).lean().exec())
        ?.revokedAt ?? null,
    ).toBeNull();
    await stepUp(stack, sms, zhang, 'DOWNLOAD', clock);
    expectStepUp(
      await gql(stack, revoke, { id: zhang.deviceId }, { token: sms }),
      'MANAGE_DEVICES',
    );
    await stepUp(stack, sms, zhang, 'MANAGE_DEVICES', clock);
    expect(
      ok(await gql(stack, revoke, { id: zhang.deviceId }, { token: sms })).data.revokeDevice
        .revokedAt,
    ).toBeTruthy();
  });
});
