import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createDeviceStore } from '../../src/device-store.ts';
import { generateDeviceKey, signAction } from '../../src/signing.ts';

describe('device store', () => {
  it('is empty before activation', async () => {
    expect(await createDeviceStore(new IDBFactory()).load()).toBeNull();
  });

  it('keeps the non-extractable key usable across loads', async () => {
    const factory = new IDBFactory();
    const keys = await generateDeviceKey();
    await createDeviceStore(factory).save({
      deviceId: 'dev-7',
      deviceName: '测试手机',
      lawyerName: '陈志远',
      activatedAt: '2025-03-01T08:00:00.000Z',
      keys,
    });

    const loaded = await createDeviceStore(factory).load();
    expect(loaded?.deviceId).toBe('dev-7');
    expect(loaded?.keys.privateKey.extractable).toBe(false);
    const signed = await signAction(
      { deviceId: 'dev-7', privateKey: loaded!.keys.privateKey },
      'scan',
      'yuejuan://login?id=abcdefghij0123456789&nonce=12345678',
    );
    const ok = await crypto.subtle.verify(
      { name: 'ECDSA', hash: 'SHA-256' },
      keys.publicKey,
      Buffer.from(signed.signature, 'base64url'),
      new TextEncoder().encode(`scan|${signed.qrPayload}|${signed.signedAt}`),
    );
    expect(ok).toBe(true);
  });

  it('forgets the device on clear', async () => {
    const factory = new IDBFactory();
    const store = createDeviceStore(factory);
    await store.save({
      deviceId: 'dev-8',
      deviceName: 'x',
      lawyerName: 'y',
      activatedAt: '2025-03-01T08:00:00.000Z',
      keys: await generateDeviceKey(),
    });
    await store.clear();
    expect(await store.load()).toBeNull();
  });
});
