import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, lawyerIdentity } from '@yuejuan/runtime/testing';
import { codes, startIdentity, type Harness } from './harness.ts';
import { liSi, seedPeople, wangWu, zhangSan, type People } from './fixtures.ts';
import { activate, activationOps, facePhoto, newDeviceKey, personalInfo } from './verifier.ts';

const hotline = '400-888-1234';

describe('verifier activation', () => {
  let h: Harness;
  let people: People;

  beforeAll(async () => {
    h = await startIdentity('identity_activation', { env: { SUPPORT_HOTLINE: hotline } });
    people = await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  const start = (input: { name: string; idNumber: string; licenceNumber: string }) =>
    h.call(anonymous, activationOps.start, { input: personalInfo(input) });
  const startedId = async (person = zhangSan) => {
    const r = await start(person);
    expect(r.data.startActivation.status).toBe('INFO_VERIFIED');
    return r.data.startActivation.id as string;
  };

  it('activates: register match, face check, phone bound by SMS code, device key stored', async () => {
    const started = await start(zhangSan);
    expect(started.errors).toBeUndefined();
    const id = started.data.startActivation.id as string;
    expect(started.data.startActivation).toMatchObject({
      status: 'INFO_VERIFIED',
      failureReason: null,
      supportHotline: hotline,
    });
    expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const stored = await h.db.collection('activations').findOne({ _id: id as never });
    expect(JSON.stringify(stored)).not.toContain(zhangSan.idNumber); // sealed until the face check

    const face = await h.call(anonymous, activationOps.face, {
      id,
      image: `data:image/jpeg;base64,${facePhoto}`,
    });
    expect(face.data.submitFaceVerification.status).toBe('FACE_VERIFIED');
    expect(
      (await h.db.collection('activations').findOne({ _id: id as never }))?.sealedIdNumber,
    ).toBeUndefined();

    const sent = await h.call(anonymous, activationOps.code, { id, phone: '13800001001' });
    expect(sent.data.requestActivationSmsCode).toEqual({
      phoneMasked: '138****1001',
      resendAfterSeconds: 60,
      expiresInSeconds: 300,
    });
    expect(h.sms.sent.at(-1)).toMatchObject({
      phone: '13800001001',
      kind: 'BINDING_PHONE_CODE',
      variables: { code: expect.stringMatching(/^\d{6}$/) },
    });
    expect(JSON.stringify(sent)).not.toContain(h.sms.lastCode('13800001001'));

    const key = await newDeviceKey();
    const done = await h.call(anonymous, activationOps.complete, {
      input: {
        activationId: id,
        phone: '13800001001',
        code: h.sms.lastCode('13800001001'),
        publicKeyJwk: key.publicKeyJwk,
        deviceName: 'iPhone 15',
      },
    });
    expect(done.errors).toBeUndefined();
    expect(done.data.completeActivation).toMatchObject({
      name: 'iPhone 15',
      lastUsedAt: null,
      revokedAt: null,
    });

    const device = await h.models.Device.findById(done.data.completeActivation.id).lean().exec();
    expect(device).toMatchObject({
      lawyerId: people.zhangSanId,
      phone: '13800001001',
      activationId: id,
    });
    expect(JSON.parse(device!.publicKeyJwk)).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: JSON.parse(key.publicKeyJwk).x,
      y: JSON.parse(key.publicKeyJwk).y,
    });
    expect((await h.models.Lawyer.findById(people.zhangSanId).lean().exec())?.phone).toBe(
      '13800001001',
    );
    expect(await h.collections.phoneBindings.findOne({ _id: '13800001001' })).toMatchObject({
      lawyerId: people.zhangSanId,
    });
    expect((await h.models.Activation.findById(id).lean().exec())?.status).toBe('COMPLETED');
    expect(
      await h.models.AuditEvent.findOne({ kind: 'DEVICE_ACTIVATED', actorId: people.zhangSanId })
        .lean()
        .exec(),
    ).toBeTruthy();

    const devices = await h.call(
      lawyerIdentity(people.zhangSanId),
      /* GraphQL */ `
        query ($id: ID!) {
          lawyer(id: $id) {
            devices {
              id
              name
            }
          }
        }
      `,
      { id: people.zhangSanId },
    );
    expect(devices.data.lawyer.devices).toEqual([{ id: device!._id, name: 'iPhone 15' }]);

    const again = await h.call(anonymous, activationOps.complete, {
      input: {
        activationId: id,
        phone: '13800001001',
        code: h.sms.lastCode('13800001001'),
        publicKeyJwk: key.publicKeyJwk,
        deviceName: 'x',
      },
    });
    expect(codes(again)).toEqual(['ACTIVATION_COMPLETED']);
  });

  it('fails an activation whose info does not match the register at the face step, saying what to re-check and the hotline', async () => {
    const tries = [
      { ...liSi, name: '李五' },
      { ...liSi, idNumber: zhangSan.idNumber },
      { ...liSi, licenceNumber: '19999200010000001' },
    ];
    for (const input of tries) {
      const r = await start(input);
      expect(r.errors).toBeUndefined();
      expect(r.data.startActivation).toMatchObject({
        status: 'INFO_VERIFIED',
        failureReason: null,
      });
      const face = await h.call(anonymous, activationOps.face, {
        id: r.data.startActivation.id,
        image: facePhoto,
      });
      expect(face.data.submitFaceVerification).toMatchObject({
        status: 'FAILED',
        supportHotline: hotline,
      });
      expect(face.data.submitFaceVerification.failureReason).toContain(
        '请核对姓名、身份证号、执业证号',
      );
      expect(face.data.submitFaceVerification.failureReason).toContain(hotline);
      expect(
        face.data.submitFaceVerification.failureReason.match(new RegExp(hotline, 'g')),
      ).toHaveLength(1);
    }
    expect(
      await h.models.AuditEvent.countDocuments({ kind: 'ACTIVATION_FAILED' }).exec(),
    ).toBeGreaterThanOrEqual(3);
  });

  it('is no oracle for ID numbers: a right and a wrong guess answer alike, a wrong one fails like a bad face, and guessing is limited per licence (issue 14)', async () => {
    const strip = (a: Record<string, unknown>) => ({ ...a, id: undefined, expiresAt: undefined });
    const right = (await start(wangWu)).data.startActivation;
    const guess = liSi.idNumber; // well-formed, not his
    const wrong = (await start({ ...wangWu, idNumber: guess })).data.startActivation;
    expect(strip(wrong)).toEqual(strip(right));
    // After the face step both fail the same way when the face is not the person's.
    const tiny = Buffer.from('tiny').toString('base64');
    const a = (await h.call(anonymous, activationOps.face, { id: right.id, image: tiny })).data
      .submitFaceVerification;
    const b = (await h.call(anonymous, activationOps.face, { id: wrong.id, image: tiny })).data
      .submitFaceVerification;
    expect(strip(a)).toEqual(strip(b));
    // Ten starts per licence number a day (two above), then refused whatever the guess.
    for (let i = 0; i < 8; i++)
      expect((await start({ ...wangWu, idNumber: guess })).data.startActivation.status).toBe(
        'INFO_VERIFIED',
      );
    expect(codes(await start(wangWu))).toEqual(['RATE_LIMITED']);
    h.clock.advance(86_400);
    expect((await start(wangWu)).data.startActivation.status).toBe('INFO_VERIFIED');
  });

  it('refuses malformed ID numbers, licence numbers, names and phones with BAD_USER_INPUT naming the field', async () => {
    const cases: [typeof liSi, string, RegExp][] = [
      [{ ...liSi, idNumber: '340102198802154022' }, 'idNumber', /校验位/],
      [{ ...liSi, idNumber: '34010219880215402' }, 'idNumber', /18位/],
      [{ ...liSi, idNumber: '340102198802304021' }, 'idNumber', /出生日期/],
      [{ ...liSi, licenceNumber: '1340120111023456' }, 'licenceNumber', /17位/],
      [{ ...liSi, licenceNumber: '1340120111023456A' }, 'licenceNumber', /17位/],
      [{ ...liSi, name: '' }, 'name', /姓名/],
      [{ ...liSi, name: '<script>' }, 'name', /姓名/],
    ];
    for (const [input, field, message] of cases) {
      const r = await start(input);
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions!.field).toBe(field);
      expect(r.errors![0]!.message).toMatch(message);
    }
    const id = await startedId(liSi);
    await h.call(anonymous, activationOps.face, { id, image: facePhoto });
    for (const phone of ['12812345678', '1380000100', '+8613800001002', '138000010021']) {
      const r = await h.call(anonymous, activationOps.code, { id, phone });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions!.field).toBe('phone');
    }
  });

  it('fails the face check with advice and the hotline, and stops the activation there', async () => {
    const id = await startedId(wangWu);
    const r = await h.call(anonymous, activationOps.face, {
      id,
      image: Buffer.from('tiny').toString('base64'),
    });
    expect(r.data.submitFaceVerification).toMatchObject({
      status: 'FAILED',
      supportHotline: hotline,
    });
    expect(r.data.submitFaceVerification.failureReason).toMatch(/身份核验未通过.*在光线充足处/);
    expect(r.data.submitFaceVerification.failureReason).toContain(hotline);
    expect(
      codes(await h.call(anonymous, activationOps.code, { id, phone: '13800001003' })),
    ).toEqual(['ACTIVATION_STATE']);
    const fresh = await startedId(wangWu);
    const bad = await h.call(anonymous, activationOps.face, { id: fresh, image: 'not base64!' });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.extensions!.field).toBe('image');
  });

  it('keeps the steps in order and refuses unknown and expired activations', async () => {
    const id = await startedId(wangWu);
    expect(
      codes(await h.call(anonymous, activationOps.code, { id, phone: '13800001004' })),
    ).toEqual(['ACTIVATION_STATE']);
    expect(
      codes(
        await h.call(anonymous, activationOps.face, {
          id: 'no-such-activation-0000000',
          image: facePhoto,
        }),
      ),
    ).toEqual(['ACTIVATION_NOT_FOUND']);
    h.clock.advance(h.config.ACTIVATION_TTL_SECONDS + 1);
    expect(codes(await h.call(anonymous, activationOps.face, { id, image: facePhoto }))).toEqual([
      'ACTIVATION_EXPIRED',
    ]);
  });

  it('binds only the portal account phone of a registered lawyer, and a phone to one lawyer only', async () => {
    await h.models.Lawyer.updateOne(
      { _id: people.liSiId },
      {
        $set: {
          phone: '13800002000',
          registeredAt: new Date(),
          consent: { version: '2025-01', acceptedAt: new Date() },
        },
      },
    ).exec();
    const id = await startedId(liSi);
    await h.call(anonymous, activationOps.face, { id, image: facePhoto });
    const other = await h.call(anonymous, activationOps.code, { id, phone: '13800002001' });
    expect(codes(other)).toEqual(['PHONE_MISMATCH']);
    expect(other.errors![0]!.message).toContain('门户账号的手机号码一致');
    const taken = await h.call(anonymous, activationOps.code, { id, phone: '13800001001' }); // bound to 张三 above
    expect(codes(taken)).toEqual(['PHONE_MISMATCH']);

    const wang = await startedId(wangWu);
    await h.call(anonymous, activationOps.face, { id: wang, image: facePhoto });
    expect(
      codes(await h.call(anonymous, activationOps.code, { id: wang, phone: '13800001001' })),
    ).toEqual(['PHONE_TAKEN']);
    const own = await activate(h, liSi, '13800002000');
    expect(own.lawyerId).toBe(people.liSiId);
  });

  it('refuses a wrong code, a private key, a key of another curve and a phone other than the one the code went to', async () => {
    const id = await startedId(wangWu);
    await h.call(anonymous, activationOps.face, { id, image: facePhoto });
    await h.call(anonymous, activationOps.code, { id, phone: '13800003000' });
    const key = await newDeviceKey();
    const input = {
      activationId: id,
      phone: '13800003000',
      code: h.sms.lastCode('13800003000'),
      publicKeyJwk: key.publicKeyJwk,
      deviceName: 'Pixel',
    };
    const wrongCode = String((Number(input.code) + 1) % 1_000_000).padStart(6, '0');
    expect(
      codes(
        await h.call(anonymous, activationOps.complete, { input: { ...input, code: wrongCode } }),
      ),
    ).toEqual(['CODE_INVALID']);
    const withPrivate = JSON.stringify({ ...JSON.parse(key.publicKeyJwk), d: 'AAAA' });
    const p384 = JSON.stringify({ ...JSON.parse(key.publicKeyJwk), crv: 'P-384' });
    const offCurve = JSON.stringify({
      ...JSON.parse(key.publicKeyJwk),
      y: JSON.parse(key.publicKeyJwk).x,
    });
    for (const publicKeyJwk of [withPrivate, p384, offCurve, 'not json']) {
      const r = await h.call(anonymous, activationOps.complete, {
        input: { ...input, publicKeyJwk },
      });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions!.field).toBe('publicKeyJwk');
    }
    expect(
      codes(
        await h.call(anonymous, activationOps.complete, {
          input: { ...input, phone: '13800003001' },
        }),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    const done = await h.call(anonymous, activationOps.complete, { input });
    expect(done.errors).toBeUndefined();
    expect(await h.models.Device.countDocuments({ activationId: id }).exec()).toBe(1);
  });
});
