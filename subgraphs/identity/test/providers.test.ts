import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { createHttpFaceProvider } from '../src/services/face-provider.ts';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, wangWu, zhangSan } from './fixtures.ts';
import { startFakeFaceService, startFakeNotifications } from './fake-services.ts';
import { activationOps, facePhoto, newDeviceKey, personalInfo } from './verifier.ts';

const appId = 'yuejuan-test';
const faceSecret = 'face-secret-0123456789abcdef';

describe('the HTTP adapters (face service, notifications SMS) against local services that speak their contracts', () => {
  let h: Harness;
  let face: Awaited<ReturnType<typeof startFakeFaceService>>;
  let notifications: Awaited<ReturnType<typeof startFakeNotifications>>;

  beforeAll(async () => {
    face = await startFakeFaceService(appId, faceSecret);
    notifications = await startFakeNotifications(() => h.secrets.internal);
    h = await startIdentity('identity_providers', {
      configuredProviders: true,
      env: {
        FACE_PROVIDER: 'http',
        FACE_HTTP_ENDPOINT: `${face.url}/v1/face/verify`,
        FACE_HTTP_APP_ID: appId,
        FACE_HTTP_SECRET: faceSecret,
        NOTIFICATIONS_INTERNAL_URL: notifications.url,
      },
    });
    await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
    await face?.close();
    await notifications?.close();
  });

  const startedId = async (person: typeof zhangSan) =>
    (await h.call(anonymous, activationOps.start, { input: personalInfo(person) })).data
      .startActivation.id as string;

  it('activates through the real face service adapter and the notifications SMS route', async () => {
    const id = await startedId(zhangSan);
    const faced = await h.call(anonymous, activationOps.face, { id, image: facePhoto });
    expect(faced.data.submitFaceVerification.status).toBe('FACE_VERIFIED');
    expect(face.requests.at(-1)).toEqual({
      requestId: id,
      name: zhangSan.name,
      idNumber: zhangSan.idNumber,
      image: facePhoto,
    });

    expect(
      (await h.call(anonymous, activationOps.code, { id, phone: '13000000001' })).errors,
    ).toBeUndefined();
    const sms = notifications.received.at(-1)!;
    expect(sms).toMatchObject({
      to: { phone: '13000000001' },
      kind: 'BINDING_PHONE_CODE',
      variables: { code: expect.stringMatching(/^\d{6}$/), expiresInMinutes: '5' },
      dedupeKey: expect.stringContaining('13000000001'),
    });
    const key = await newDeviceKey();
    const done = await h.call(anonymous, activationOps.complete, {
      input: {
        activationId: id,
        phone: '13000000001',
        code: sms.variables.code,
        publicKeyJwk: key.publicKeyJwk,
        deviceName: 'Mi 14',
      },
    });
    expect(done.errors).toBeUndefined();
  });

  it("turns the face service's FAIL into a failed activation with advice", async () => {
    const id = await startedId(liSi);
    const r = await h.call(anonymous, activationOps.face, {
      id,
      image: Buffer.from(`FAIL:LIVENESS_FAILED;${'x'.repeat(80)}`).toString('base64'),
    });
    // The answer is the same for every failure (no oracle, issue 14); the audit keeps the provider's reason.
    expect(r.data.submitFaceVerification).toMatchObject({
      status: 'FAILED',
      failureReason: expect.stringContaining('身份核验未通过'),
    });
    expect(r.data.submitFaceVerification.failureReason).toContain('400-052-9602');
    expect(
      await h.models.AuditEvent.findOne({ kind: 'ACTIVATION_FAILED', detail: /LIVENESS_FAILED/ })
        .lean()
        .exec(),
    ).toBeTruthy();
  });

  it('reports the face service being down as SERVICE_UNAVAILABLE and lets the lawyer try again', async () => {
    const id = await startedId(wangWu);
    face.state.mode = 'down';
    const down = await h.call(anonymous, activationOps.face, { id, image: facePhoto });
    expect(codes(down)).toEqual(['SERVICE_UNAVAILABLE']);
    face.state.mode = 'up';
    expect(
      (await h.call(anonymous, activationOps.face, { id, image: facePhoto })).data
        .submitFaceVerification.status,
    ).toBe('FACE_VERIFIED');
  });

  it("refuses a face service that cannot be reached or that refuses the adapter's signature", async () => {
    const check = {
      requestId: 'r1',
      name: zhangSan.name,
      idNumber: zhangSan.idNumber,
      image: facePhoto,
    };
    const wrongKey = createHttpFaceProvider({
      endpoint: `${face.url}/v1/face/verify`,
      appId,
      secret: 'another-secret-0123456789',
      timeoutMs: 2000,
    });
    await expect(wrongKey.verify(check)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'face' },
    });
    const nowhere = createHttpFaceProvider({
      endpoint: 'http://127.0.0.1:9/verify',
      appId,
      secret: faceSecret,
      timeoutMs: 2000,
    });
    await expect(nowhere.verify(check)).rejects.toMatchObject({
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    });
  });

  it('passes on what notifications answers: rate limited, bad number, down', async () => {
    const send = async (phone: string) =>
      h.call(
        anonymous,
        /* GraphQL */ `
          mutation R($p: String!) {
            requestLoginSmsCode(phone: $p) {
              phoneMasked
            }
          }
        `,
        { p: phone },
      );
    await h.models.Lawyer.updateOne(
      { licenceNumber: zhangSan.licenceNumber },
      { $set: { registeredAt: new Date() } },
    ).exec();
    notifications.state.mode = 'rate-limited';
    h.clock.advance(61);
    const limited = await send('13000000001');
    expect(codes(limited)).toEqual(['RATE_LIMITED']);
    expect(limited.errors![0]!.extensions).toMatchObject({
      limit: 'SMS_CHANNEL',
      retryAfterSeconds: 42,
    });
    notifications.state.mode = 'bad-number';
    h.clock.advance(61);
    expect(codes(await send('13000000001'))).toEqual(['BAD_USER_INPUT']);
    notifications.state.mode = 'down';
    h.clock.advance(61);
    expect(codes(await send('13000000001'))).toEqual(['SERVICE_UNAVAILABLE']);
    notifications.state.mode = 'ok';
  });
});
