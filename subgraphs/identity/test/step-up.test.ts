import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collection } from 'mongodb';
import {
  mintInternalToken,
  requireStepUp,
  type Identity,
  type StepUpClaim,
} from '@yuejuan/runtime';
import { anonymous } from '@yuejuan/runtime/testing';
import { tokenDigest } from '../src/services/session.service.ts';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, zhangSan, type People } from './fixtures.ts';
import { activate, scanLogin, signed, type Verifier } from './verifier.ts';

const createOp = /* GraphQL */ `
  mutation Ask($p: StepUpPurpose!) {
    createVerificationChallenge(purpose: $p) {
      id
      purpose
      status
      qrPayload
      qrSvg
      expiresAt
    }
  }
`;
const confirmOp = /* GraphQL */ `
  mutation Confirm($input: SignedTicketActionInput!) {
    confirmVerificationChallenge(input: $input) {
      id
      purpose
      status
    }
  }
`;
const readOp = /* GraphQL */ `
  query Read($id: ID!) {
    verificationChallenge(id: $id) {
      id
      purpose
      status
    }
  }
`;
const contextOp = /* GraphQL */ `
  query Ctx($qr: String!) {
    scanContext(qrPayload: $qr) {
      kind
      purpose
      browser
      ip
    }
  }
`;

describe('step-up verification (身份核验)', () => {
  let h: Harness;
  let people: People;
  let zhang: Verifier;
  let li: Verifier;
  /** The acting subgraph's own claims collection (cases or reading), here in the test database. */
  let claims: Collection<StepUpClaim>;

  /** A phone + SMS code session of 张三: not identity-verified. */
  const smsSession = async () => {
    const opened = await h.services.sessions.open(
      { role: 'LAWYER', subjectId: people.zhangSanId, method: 'SMS_CODE' },
      h.clock.now(),
    );
    return {
      token: opened.token,
      identity: () => h.services.sessions.resolve(opened.token, h.clock.now()) as Promise<Identity>,
    };
  };
  const ask = async (identity: Identity, purpose: string) => {
    const r = await h.call(
      identity,
      createOp,
      { p: purpose },
      {
        ip: '198.51.100.9',
        userAgent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15',
      },
    );
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    return r.data.createVerificationChallenge as {
      id: string;
      qrPayload: string;
      status: string;
      qrSvg: string;
    };
  };
  const confirm = async (v: Verifier, qrPayload: string) =>
    h.call(anonymous, confirmOp, { input: await signed(v, 'step-up', qrPayload, h.clock.now()) });

  beforeAll(async () => {
    h = await startIdentity('identity_stepup');
    people = await seedPeople(h);
    zhang = await activate(h, zhangSan, '13700000001');
    li = await activate(h, liSi, '13700000002');
    claims = h.db.getClient().db(h.db.name).collection<StepUpClaim>('step_up_claims');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('lets a non-verified session bind a case only after its own verifier confirms a BIND_CASE challenge, once', async () => {
    const session = await smsSession();
    await expect(
      requireStepUp(await session.identity(), 'BIND_CASE', claims),
    ).rejects.toMatchObject({ extensions: { code: 'STEP_UP_REQUIRED', purpose: 'BIND_CASE' } });

    const challenge = await ask(await session.identity(), 'BIND_CASE');
    expect(challenge).toMatchObject({
      purpose: 'BIND_CASE',
      status: 'PENDING',
      qrSvg: expect.stringContaining('<svg'),
    });
    expect(challenge.qrPayload).toMatch(/^yuejuan:\/\/step-up\?id=/);
    expect(
      (await h.call(anonymous, contextOp, { qr: challenge.qrPayload })).data.scanContext,
    ).toEqual({
      kind: 'STEP_UP',
      purpose: '案件绑定申请身份核验',
      browser: 'Safari 17 · macOS',
      ip: '198.51.100.9',
    });

    const confirmed = await confirm(zhang, challenge.qrPayload);
    expect(confirmed.data.confirmVerificationChallenge).toEqual({
      id: challenge.id,
      purpose: 'BIND_CASE',
      status: 'CONFIRMED',
    });
    expect(
      (await h.call(await session.identity(), readOp, { id: challenge.id })).data
        .verificationChallenge.status,
    ).toBe('CONFIRMED');
    expect(
      await h.models.AuditEvent.findOne({ kind: 'STEP_UP', actorId: people.zhangSanId })
        .lean()
        .exec(),
    ).toBeTruthy();

    const identity = await session.identity();
    expect(identity).toMatchObject({
      verified: false,
      stepUps: [{ id: challenge.id, purpose: 'BIND_CASE', confirmedAt: expect.any(String) }],
    });
    await expect(requireStepUp(identity, 'DOWNLOAD', claims)).rejects.toMatchObject({
      extensions: { code: 'STEP_UP_REQUIRED' },
    });
    await expect(requireStepUp(identity, 'READING_APPLICATION', claims)).rejects.toMatchObject({
      extensions: { code: 'STEP_UP_REQUIRED' },
    });
    await expect(requireStepUp(identity, 'BIND_CASE', claims)).resolves.toBeUndefined();
    await expect(requireStepUp(identity, 'BIND_CASE', claims)).rejects.toMatchObject({
      extensions: { code: 'STEP_UP_REQUIRED' },
    });
    expect(codes(await confirm(zhang, challenge.qrPayload))).toEqual(['CHALLENGE_USED']);
  });

  it('passes the step-ups to the gateway through /internal/sessions/resolve', async () => {
    const session = await smsSession();
    const challenge = await ask(await session.identity(), 'READING_APPLICATION');
    await confirm(zhang, challenge.qrPayload);
    const res = await fetch(h.url.replace(/\/graphql$/, '/internal/sessions/resolve'), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-internal-token': await mintInternalToken(h.secrets.internal, 'identity', {
          role: 'SERVICE',
          service: 'gateway',
        }),
      },
      body: JSON.stringify({ token: session.token }),
    });
    expect(await res.json()).toEqual({
      identity: {
        role: 'LAWYER',
        sessionId: expect.any(String),
        lawyerId: people.zhangSanId,
        verified: false,
        stepUps: [
          { id: challenge.id, purpose: 'READING_APPLICATION', confirmedAt: expect.any(String) },
        ],
      },
    });
  });

  it('carries fresh step-ups over a renewal, and drops those of a device that is revoked', async () => {
    const session = await smsSession();
    const challenge = await ask(await session.identity(), 'APPOINTMENT');
    await confirm(zhang, challenge.qrPayload);
    const renewed = await h.call(
      await session.identity(),
      /* GraphQL */ `
        mutation {
          renewSession {
            token
          }
        }
      `,
    );
    const token = renewed.data.renewSession.token as string;
    expect(await h.services.sessions.resolve(token, h.clock.now())).toMatchObject({
      stepUps: [{ id: challenge.id, purpose: 'APPOINTMENT' }],
    });
    const stored = await h.db.collection('sessions').findOne({ _id: tokenDigest(token) as never });
    expect(stored?.stepUps).toEqual([
      {
        id: challenge.id,
        purpose: 'APPOINTMENT',
        confirmedAt: expect.any(Date),
        deviceId: zhang.deviceId,
      },
    ]);
    // A phone-code session revokes a device only after a MANAGE_DEVICES step-up (issue 14).
    const manage = await ask(
      (await h.services.sessions.resolve(token, h.clock.now()))!,
      'MANAGE_DEVICES',
    );
    await confirm(zhang, manage.qrPayload);
    const identity = (await h.services.sessions.resolve(token, h.clock.now()))!;
    expect(
      (
        await h.call(
          identity,
          /* GraphQL */ `
            mutation R($id: ID!) {
              revokeDevice(id: $id) {
                id
              }
            }
          `,
          { id: zhang.deviceId },
        )
      ).errors,
    ).toBeUndefined();
    expect(await h.services.sessions.resolve(token, h.clock.now())).not.toHaveProperty('stepUps');
    h.clock.advance(61); // the phone's SMS resend interval
    zhang = await activate(h, zhangSan, '13700000001', 'New phone'); // the later tests need a live device
  });

  it('keeps a challenge to the session that asked and the lawyer whose verifier confirms', async () => {
    const mine = await smsSession();
    const challenge = await ask(await mine.identity(), 'APPOINTMENT');
    const other = await smsSession();
    expect(codes(await h.call(await other.identity(), readOp, { id: challenge.id }))).toEqual([
      'CHALLENGE_INVALID',
    ]);
    expect(codes(await confirm(li, challenge.qrPayload))).toEqual(['CHALLENGE_WRONG_LAWYER']);
    await confirm(zhang, challenge.qrPayload);
    expect(await other.identity()).not.toHaveProperty('stepUps');
    expect(codes(await h.call(anonymous, createOp, { p: 'BIND_CASE' }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });

  it('expires an unconfirmed challenge, and a confirmed one after the fresh window', async () => {
    const session = await smsSession();
    const late = await ask(await session.identity(), 'DOWNLOAD');
    const used = await ask(await session.identity(), 'DOWNLOAD');
    await confirm(zhang, used.qrPayload);
    h.clock.advance(Math.max(h.config.CHALLENGE_TTL_SECONDS, h.config.STEP_UP_FRESH_SECONDS) + 1);
    expect(codes(await confirm(zhang, late.qrPayload))).toEqual(['CHALLENGE_EXPIRED']);
    expect(
      (await h.call(await session.identity(), readOp, { id: used.id })).data.verificationChallenge
        .status,
    ).toBe('EXPIRED');
    const identity = await session.identity();
    expect(identity).not.toHaveProperty('stepUps');
    await expect(requireStepUp(identity, 'DOWNLOAD', claims)).rejects.toMatchObject({
      extensions: { code: 'STEP_UP_REQUIRED' },
    });
  });

  it('counts a scan-login session as verified inside SCAN_VERIFIED_WINDOW_SECONDS, and not after', async () => {
    const { identity, token } = await scanLogin(h, zhang);
    await expect(requireStepUp(identity, 'BIND_CASE', claims)).resolves.toBeUndefined();
    await expect(
      requireStepUp(identity, 'DOWNLOAD', claims, { always: true }),
    ).rejects.toMatchObject({ extensions: { code: 'STEP_UP_REQUIRED' } });
    h.clock.advance(h.config.SCAN_VERIFIED_WINDOW_SECONDS + 1);
    const later = (await h.services.sessions.resolve(token, h.clock.now()))!;
    expect(later).toMatchObject({ verified: false });
    await expect(requireStepUp(later, 'BIND_CASE', claims)).rejects.toMatchObject({
      extensions: { code: 'STEP_UP_REQUIRED' },
    });
  });
});
