import { randomBytes } from 'node:crypto';
import { AppError, claimOnce, isDuplicateKey, newId } from '@yuejuan/runtime';
import {
  identityOwned,
  type ActivationDoc,
  type DeviceDoc,
  type IdentityCollections,
  type IdentityModels,
  type LawyerDoc,
} from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import { sourceKey, type ClientInfo } from './client.ts';
import { normalisePublicKey } from './device.service.ts';
import { refuse } from './errors.ts';
import type { FaceProvider } from './face-provider.ts';
import type { IdentityPolicy } from './policy.ts';
import { hashIdNumber } from './registry.service.ts';
import { createSealer } from './seal.ts';
import { limitRate } from './slots.ts';
import type { CodeSent, SmsCodeService } from './sms-code.service.ts';
import { check, idNumberProblem, licenceNumberProblem, phoneProblem } from './validation.ts';

export interface StartActivationInput {
  name: string;
  idNumber: string;
  licenceNumber: string;
}
export interface CompleteActivationInput {
  activationId: string;
  phone: string;
  code: string;
  publicKeyJwk: string;
  deviceName: string;
}

interface Deps {
  models: IdentityModels;
  collections: IdentityCollections;
  policy: IdentityPolicy;
  idHashKey: string;
  smsCodes: SmsCodeService;
  audit: AuditService;
  face: () => FaceProvider;
}

/** Why a name (姓名) is invalid, or null: 1 to 30 Chinese characters or letters (· for minority names). */
export function nameProblem(value: string): string | null {
  return /^[\u3400-\u9fff\uf900-\ufaffA-Za-z·•.\s]{1,30}$/.test(value) && value.trim()
    ? null
    : '姓名应为1至30个汉字或字母。';
}

function imageData(image: string): string {
  const data =
    typeof image === 'string' ? image.replace(/^data:image\/(jpeg|png);base64,/, '') : '';
  if (!data || data.length > 1_000_000 || !/^[A-Za-z0-9+/]+={0,2}$/.test(data))
    throw new AppError('BAD_USER_INPUT', '照片格式无效，请重新拍摄（JPEG 或 PNG）。', {
      field: 'image',
    });
  return data;
}

/**
 * Verifier activation (中国律师身份核验平台激活): personal info against the register, the face
 * check, phone binding by SMS code, then the device's public key. Each failure says what to
 * re-check and gives the support hotline.
 */
export function createActivationService(d: Deps) {
  const sealer = createSealer(d.idHashKey);
  const hotline = d.policy.supportHotline;

  async function load(id: string, now: Date): Promise<ActivationDoc> {
    const activation =
      typeof id === 'string' && id.length <= 64
        ? await d.models.Activation.findById(id).lean<ActivationDoc>().exec()
        : null;
    if (!activation) throw refuse.activationNotFound();
    if (activation.status === 'COMPLETED') throw refuse.activationDone();
    if (activation.expiresAt <= now) throw refuse.activationExpired();
    return activation;
  }
  const update = async (id: string, change: Record<string, unknown>) =>
    (await d.models.Activation.findByIdAndUpdate(id, change, { returnDocument: 'after' })
      .lean<ActivationDoc>()
      .exec())!;

  return {
    /**
     * Step 1: 姓名, 身份证号, 执业证号, checked against the register but answered the same way
     * whether they match or not (INFO_VERIFIED, go on to the face check): with a public name
     * and licence number, the answer must not tell whether a guessed ID number is right. A
     * mismatch fails at the face step, which only the person can pass. Limited per IP, per
     * licence number per day and overall.
     */
    async start(
      input: StartActivationInput,
      client: ClientInfo,
      now: Date,
    ): Promise<ActivationDoc> {
      await limitRate(
        d.collections.slots,
        'LOGIN',
        client.ip,
        d.policy.rate.loginsPerIp,
        d.policy.rate.windowSeconds,
        now,
      );
      const name = String(input.name ?? '').trim();
      const idNumber = String(input.idNumber ?? '')
        .trim()
        .toUpperCase();
      const licenceNumber = String(input.licenceNumber ?? '').trim();
      check('name', nameProblem(name));
      check('idNumber', idNumberProblem(idNumber));
      check('licenceNumber', licenceNumberProblem(licenceNumber));
      await limitRate(
        d.collections.slots,
        'ACTIVATION_LICENCE',
        licenceNumber,
        d.policy.activation.startsPerLicencePerDay,
        86_400,
        now,
      );
      await limitRate(
        d.collections.slots,
        'ACTIVATION_ALL',
        'all',
        d.policy.activation.startsPerWindow,
        d.policy.rate.windowSeconds,
        now,
      );
      const lawyer = await identityOwned(d.models).lawyerByLicence.find({ licenceNumber });
      const matches =
        !!lawyer &&
        lawyer.name === name &&
        lawyer.idNumberHash === hashIdNumber(d.idHashKey, idNumber);
      const base = {
        _id: randomBytes(18).toString('base64url'),
        ip: client.ip,
        expiresAt: new Date(now.getTime() + d.policy.activationTtlSeconds * 1000),
        status: 'INFO_VERIFIED' as const,
        name,
      };
      if (!matches) {
        await d.audit.record({
          kind: 'ACTIVATION_FAILED',
          actorId: lawyer?._id,
          actorRole: lawyer ? 'LAWYER' : null,
          ip: client.ip,
          detail: 'personal info does not match the register',
        });
        return (
          await d.models.Activation.create({ ...base, unmatched: true })
        ).toObject() as ActivationDoc;
      }
      return (
        await d.models.Activation.create({
          ...base,
          lawyerId: lawyer._id,
          sealedIdNumber: sealer.seal(idNumber),
        })
      ).toObject() as ActivationDoc;
    },

    /**
     * Step 2: 人脸识别 through the configured provider; the sealed ID number is dropped either
     * way. Every failure (info that did not match, or the face) reads the same and takes at
     * least `faceMinMs`, so neither the text nor the timing tells which it was; the audit
     * trail keeps the real reason.
     */
    async submitFace(
      activationId: string,
      image: string,
      client: ClientInfo,
      now: Date,
    ): Promise<ActivationDoc> {
      const began = Date.now();
      const activation = await load(activationId, now);
      if (
        activation.status !== 'INFO_VERIFIED' ||
        (!activation.sealedIdNumber && !activation.unmatched)
      )
        throw refuse.activationState();
      const data = imageData(image);
      const result = activation.unmatched
        ? ({ passed: false, reason: 'ID_MISMATCH' } as const)
        : await d.face().verify({
            requestId: activation._id,
            name: activation.name!,
            idNumber: sealer.open(activation.sealedIdNumber!),
            image: data,
          });
      const wait = d.policy.activation.faceMinMs - (Date.now() - began);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (result.passed)
        return update(activation._id, {
          $set: { status: 'FACE_VERIFIED' },
          $unset: { sealedIdNumber: 1 },
        });
      if (!activation.unmatched)
        await d.audit.record({
          kind: 'ACTIVATION_FAILED',
          actorId: activation.lawyerId,
          actorRole: 'LAWYER',
          ip: client.ip,
          detail: `face check failed: ${result.reason}`,
        });
      const failureReason = `身份核验未通过：请核对姓名、身份证号、执业证号是否与律师执业证一致，并由本人在光线充足处正对镜头重新拍摄。如有疑问，请拨打客服热线 ${hotline}。`;
      return update(activation._id, {
        $set: { status: 'FAILED', failureReason },
        $unset: { sealedIdNumber: 1 },
      });
    },

    /** Step 3: an SMS code to the phone to bind; it must be the portal account's phone, when there is one. */
    async requestCode(
      activationId: string,
      phone: string,
      client: ClientInfo,
      now: Date,
    ): Promise<CodeSent> {
      await limitRate(
        d.collections.slots,
        'LOGIN',
        client.ip,
        d.policy.rate.loginsPerIp,
        d.policy.rate.windowSeconds,
        now,
      );
      check('phone', phoneProblem(phone));
      const activation = await load(activationId, now);
      if (activation.status !== 'FACE_VERIFIED' && activation.status !== 'PHONE_CODE_SENT')
        throw refuse.activationState();
      const lawyer = (await d.models.Lawyer.findById(activation.lawyerId)
        .lean<LawyerDoc>()
        .exec())!;
      if (lawyer.registeredAt && lawyer.phone && lawyer.phone !== phone)
        throw refuse.activationPhoneMismatch();
      const binding = await d.collections.phoneBindings.findOne({ _id: phone });
      if (binding && binding.lawyerId !== lawyer._id) throw refuse.phoneTaken();
      const sent = await d.smsCodes.send(
        'ACTIVATION',
        phone,
        activation._id,
        now,
        sourceKey(client),
      );
      await update(activation._id, { $set: { status: 'PHONE_CODE_SENT', phone } });
      return sent;
    },

    /** Step 4: the code, then the device's public key; the phone is bound to the lawyer. Once. */
    async complete(
      input: CompleteActivationInput,
      client: ClientInfo,
      now: Date,
    ): Promise<DeviceDoc> {
      check('phone', phoneProblem(input.phone));
      const deviceName = String(input.deviceName ?? '').trim();
      if (!deviceName || deviceName.length > 60)
        throw new AppError('BAD_USER_INPUT', '设备名称应为1至60个字符。', { field: 'deviceName' });
      const publicKeyJwk = normalisePublicKey(input.publicKeyJwk);
      const activation = await load(input.activationId, now);
      if (activation.status !== 'PHONE_CODE_SENT') throw refuse.activationState();
      if (activation.phone !== input.phone)
        throw new AppError('BAD_USER_INPUT', '手机号码与接收验证码的号码不一致。', {
          field: 'phone',
        });
      await d.smsCodes.verify('ACTIVATION', input.phone, input.code, now, activation._id);
      if (
        !(await claimOnce(d.collections.claims, `activation:${activation._id}`, {
          at: now,
          expiresAt: new Date(now.getTime() + 86_400_000),
        }))
      )
        throw refuse.activationDone();
      const lawyerId = activation.lawyerId!;
      try {
        await d.collections.phoneBindings.insertOne({ _id: input.phone, lawyerId, at: now });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (
          (await d.collections.phoneBindings.findOne({ _id: input.phone }))?.lawyerId !== lawyerId
        )
          throw refuse.phoneTaken();
      }
      const lawyer = (await d.models.Lawyer.findById(lawyerId).lean<LawyerDoc>().exec())!;
      if (lawyer.phone && lawyer.phone !== input.phone)
        await d.collections.phoneBindings.deleteOne({ _id: lawyer.phone, lawyerId });
      await d.models.Lawyer.updateOne({ _id: lawyerId }, { $set: { phone: input.phone } }).exec();
      const deviceId = newId();
      await identityOwned(d.models).devicesByLawyer.added(lawyerId, deviceId);
      const device = await d.models.Device.create({
        _id: deviceId,
        lawyerId,
        name: deviceName,
        publicKeyJwk,
        phone: input.phone,
        activationId: activation._id,
        activatedAt: now,
      });
      await update(activation._id, { $set: { status: 'COMPLETED' } });
      await d.audit.record({
        kind: 'DEVICE_ACTIVATED',
        actorId: lawyerId,
        actorRole: 'LAWYER',
        ip: client.ip,
        detail: `device ${device._id} (${deviceName})`,
      });
      return device.toObject() as DeviceDoc;
    },
  };
}
export type ActivationService = ReturnType<typeof createActivationService>;
