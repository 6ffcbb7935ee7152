import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { AppError, claimOnce } from '@yuejuan/runtime';
import {
  identityOwned,
  type DeviceDoc,
  type IdentityCollections,
  type IdentityModels,
} from '../models/index.ts';
import { refuse } from './errors.ts';

/** What a device signature authorises; part of the signed string. */
export type SignedAction = 'scan' | 'confirm' | 'reject' | 'step-up';

/** A verifier's signed action, as the mutations receive it. */
export interface SignedInput {
  qrPayload: string;
  deviceId: string;
  signedAt: string;
  signature: string;
}

/** The exact string a device signs: `${action}|${qrPayload}|${signedAt}`. */
export const canonicalString = (
  action: SignedAction,
  qrPayload: string,
  signedAt: string,
): string => `${action}|${qrPayload}|${signedAt}`;

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const badKey = () =>
  new AppError('BAD_USER_INPUT', '设备公钥无效：须为 P-256 椭圆曲线公钥（JWK 格式）。', {
    field: 'publicKeyJwk',
  });

/**
 * Parses and checks a device public key: a P-256 EC public JWK (the form WebCrypto exports),
 * a point on the curve, no private part. Returns the normalised JWK as JSON.
 */
export function normalisePublicKey(json: string): string {
  if (typeof json !== 'string' || json.length > 1000) throw badKey();
  let jwk: JsonWebKey;
  try {
    jwk = JSON.parse(json) as JsonWebKey;
  } catch {
    throw badKey();
  }
  if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk)
    throw badKey();
  const coordinate = (v: unknown) => typeof v === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v);
  if (!coordinate(jwk.x) || !coordinate(jwk.y)) throw badKey();
  const normal = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  try {
    createPublicKey({ key: normal, format: 'jwk' });
  } catch {
    throw badKey();
  }
  return JSON.stringify(normal);
}

/** Verifier devices: registration, signature checks on every scan and confirmation, listing, revocation. */
export function createDeviceService(
  models: IdentityModels,
  collections: IdentityCollections,
  policy: { signatureWindowSeconds: number },
) {
  return {
    /**
     * Checks a signed action: the device exists and is not revoked; `signedAt` is within the
     * window of the server clock; the ECDSA P-256 / SHA-256 signature (IEEE P1363 r||s,
     * base64url, as WebCrypto makes it) verifies over the canonical string with the device's
     * key; and this device never signed this exact string before (a replay is refused; the
     * string, not the signature, is the key, as ECDSA signatures can be altered and stay valid).
     */
    async verifySigned(action: SignedAction, input: SignedInput, now: Date): Promise<DeviceDoc> {
      const device =
        typeof input.deviceId === 'string' && input.deviceId.length <= 64
          ? await models.Device.findById(input.deviceId).lean<DeviceDoc>().exec()
          : null;
      if (!device || device.revokedAt) throw refuse.deviceInvalid();
      if (typeof input.signedAt !== 'string' || !isoInstant.test(input.signedAt))
        throw new AppError('BAD_USER_INPUT', '签名时间格式无效。', { field: 'signedAt' });
      const windowMs = policy.signatureWindowSeconds * 1000;
      if (Math.abs(now.getTime() - Date.parse(input.signedAt)) > windowMs)
        throw refuse.signatureExpired();
      const signature =
        typeof input.signature === 'string' && /^[A-Za-z0-9_-]{86}(==)?$/.test(input.signature)
          ? Buffer.from(input.signature.replace(/=+$/, ''), 'base64url')
          : null;
      const message = Buffer.from(canonicalString(action, input.qrPayload, input.signedAt), 'utf8');
      const key = createPublicKey({
        key: JSON.parse(device.publicKeyJwk) as JsonWebKey,
        format: 'jwk',
      });
      if (
        !signature ||
        signature.length !== 64 ||
        !verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)
      )
        throw refuse.signatureInvalid();
      const seen = `sig:${createHash('sha256').update(device._id).update('|').update(message).digest('hex')}`;
      if (
        !(await claimOnce(collections.claims, seen, {
          at: now,
          expiresAt: new Date(now.getTime() + 2 * windowMs),
        }))
      )
        throw refuse.signatureReplayed();
      await models.Device.updateOne({ _id: device._id }, { $set: { lastUsedAt: now } }).exec();
      return device;
    },

    /** A lawyer's devices, newest first. */
    async list(lawyerId: string): Promise<DeviceDoc[]> {
      return newestActivated(await identityOwned(models).devicesByLawyer.find(lawyerId));
    },

    /** Marks one of the lawyer's devices revoked (once); another lawyer's device is NOT_FOUND. */
    async markRevoked(
      lawyerId: string,
      deviceId: string,
      now: Date,
    ): Promise<{ device: DeviceDoc; changed: boolean }> {
      const device = await models.Device.findById(deviceId).lean<DeviceDoc>().exec();
      if (!device || device.lawyerId !== lawyerId)
        throw new AppError('NOT_FOUND', '未找到该核验设备。');
      if (device.revokedAt) return { device, changed: false };
      await models.Device.updateOne({ _id: deviceId }, { $set: { revokedAt: now } }).exec();
      return { device: { ...device, revokedAt: now }, changed: true };
    },
  };
}
export type DeviceService = ReturnType<typeof createDeviceService>;

/** Devices newest first by activation (the order 个人中心 shows them in). */
export const newestActivated = (devices: DeviceDoc[]): DeviceDoc[] =>
  [...devices].sort((a, b) => b.activatedAt.getTime() - a.activatedAt.getTime());
