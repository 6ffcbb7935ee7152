// Flows 1 and 2 (verifier activation, 律师认证登录) end to end through the real gateway: HTTP for
// the portal and the verifier, the gateway's WebSocket for the portal's live ticket status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { internalTokenHeader, mintInternalToken } from '@yuejuan/runtime';
import { lawyerIdentity } from '@yuejuan/runtime/testing';
import type { Stack } from './stack.ts';
import { liSi, seedPeople, zhangSan } from './fixtures.ts';
import {
  activate,
  attackerBrowser,
  chrome,
  codes,
  createTestClock,
  gql,
  newDeviceKey,
  newTicket,
  ok,
  ops,
  scanLogin,
  secretsIn,
  signed,
  smsCode,
  startIdentityStack,
  until,
  wsClient,
  type Verifier,
} from './identity-fixtures.ts';

describe('verifier activation and scan login through the gateway', () => {
  const clock = createTestClock();
  let stack: Stack;
  let people: Awaited<ReturnType<typeof seedPeople>>;
  let zhang: Verifier;
  let li: Verifier;
  const clients: Client[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await startIdentityStack('idflows', clock, {
      subgraphEnv: { identity: { LOGIN_TICKET_TTL_SECONDS: '30' } },
    });
    people = await seedPeople(stack);
    li = await activate(stack, liSi, '13700000002');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await stack?.stop();
  });

  it('activates a verifier: register match, face check, phone bound by an SMS code sent through notifications, device key stored', async () => {
    const started = ok(
      await gql(stack, ops.start, {
        input: {
          name: zhangSan.name,
          idNumber: zhangSan.idNumber,
          licenceNumber: zhangSan.licenceNumber,
        },
      }),
    );
    expect(started.data.startActivation).toMatchObject({
      status: 'INFO_VERIFIED',
      failureReason: null,
      supportHotline: '400-052-9602',
    });
    const id = started.data.startActivation.id as string;
    expect(
      ok(await gql(stack, ops.face, { id, image: Buffer.alloc(96, 7).toString('base64') })).data
        .submitFaceVerification.status,
    ).toBe('FACE_VERIFIED');
    const sent = ok(await gql(stack, ops.activationCode, { id, phone: '13700000001' }));
    expect(sent.data.requestActivationSmsCode).toEqual({
      phoneMasked: '137****0001',
      resendAfterSeconds: 60,
      expiresInSeconds: 300,
    });
    const code = await smsCode(stack, '13700000001', 'BINDING_PHONE_CODE');
    const key = await newDeviceKey();
    const done = await gql(stack, ops.complete, {
      input: {
        activationId: id,
        phone: '13700000001',
        code,
        publicKeyJwk: key.publicKeyJwk,
        deviceName: 'iPhone 15',
      },
    });
    expect(done.data.completeActivation).toMatchObject({ name: 'iPhone 15', revokedAt: null });
    for (const answer of [started, sent, done]) expect(secretsIn(answer.text, [code])).toEqual([]);

    const device = await stack.services.identity.models.Device.findById(
      done.data.completeActivation.id,
    )
      .lean()
      .exec();
    expect(device).toMatchObject({ lawyerId: people.zhangSanId });
    expect(
      await stack.services.identity.models.AuditEvent.findOne({
        kind: 'DEVICE_ACTIVATED',
        actorId: people.zhangSanId,
      })
        .lean()
        .exec(),
    ).toBeTruthy();
    expect(
      codes(
        await gql(stack, ops.complete, {
          input: {
            activationId: id,
            phone: '13700000001',
            code,
            publicKeyJwk: key.publicKeyJwk,
            deviceName: 'iPhone 15',
          },
        }),
      ),
    ).toEqual(['ACTIVATION_COMPLETED']);
    zhang = {
      deviceId: done.data.completeActivation.id,
      key,
      lawyerId: people.zhangSanId,
      phone: '13700000001',
    };
  });

  it('logs in by scan, with the portal watching SCANNED then CONFIRMED over the gateway WebSocket, then 授权信息 once', async () => {
    const t = await newTicket(stack);
    secrets.push(t.secret);
    expect(t.qrPayload).not.toContain(t.secret);
    expect(t.ticket).toMatchObject({ status: 'PENDING', qrSvg: expect.stringMatching(/^<svg/) });
    const portal = wsClient(stack);
    clients.push(portal);
    const statuses: string[] = [];
    const off = portal.subscribe<{ loginTicketChanged: { status: string } }>(
      { query: ops.ticketChanged, variables: { id: t.id, secret: t.secret } },
      {
        next: (e) => void statuses.push(e.data!.loginTicketChanged.status),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // Identity's listeners: the gateway's ended-sessions watch, and this ticket's.
    await until(
      () =>
        stack.gateway.subscriptionStats().subscriptions > 0 &&
        stack.bus.identity.stats().listeners >= 2,
    );

    const scanned = ok(
      await gql(stack, ops.scan, { input: await signed(zhang, 'scan', t.qrPayload, clock.now()) }),
    );
    expect(scanned.data.scanLoginTicket).toMatchObject({
      kind: 'LOGIN',
      site: '12309中国检察网',
      browser: expect.stringContaining('Chrome'),
      ip: chrome.ip,
    });
    await until(() => statuses.includes('SCANNED'));
    ok(
      await gql(stack, ops.confirm, {
        input: await signed(zhang, 'confirm', t.qrPayload, clock.now()),
      }),
    );
    await until(() => statuses.includes('CONFIRMED'));
    off();
    expect(statuses.slice(0, 2)).toEqual(['SCANNED', 'CONFIRMED']);

    const redeemed = ok(await gql(stack, ops.redeem, { id: t.id, secret: t.secret }, chrome));
    expect(redeemed.data.redeemLoginTicket).toMatchObject({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nextStep: 'CONSENT',
      session: { role: 'LAWYER', method: 'SCAN', identityVerified: true },
    });
    const token = redeemed.data.redeemLoginTicket.token as string;
    const version = ok(await gql(stack, ops.consentText)).data.currentConsentText.version;
    expect(
      ok(await gql(stack, ops.consent, { v: version }, { token })).data.acceptConsent.nextStep,
    ).toBe('COMPLETE_PROFILE');
    const profile = ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation P($input: CompleteProfileInput!) {
            completeProfile(input: $input) {
              nextStep
            }
          }
        `,
        { input: { phone: zhang.phone } },
        { token },
      ),
    );
    expect(profile.data.completeProfile.nextStep).toBe('DONE');
    const viewer = ok(
      await gql(
        stack,
        /* GraphQL */ `
          {
            viewer {
              nextStep
              session {
                method
                identityVerified
              }
              lawyer {
                id
                registered
                devices {
                  id
                }
              }
            }
          }
        `,
        {},
        { token },
      ),
    );
    expect(viewer.data.viewer).toEqual({
      nextStep: 'DONE',
      session: { method: 'SCAN', identityVerified: true },
      lawyer: { id: people.zhangSanId, registered: true, devices: [{ id: zhang.deviceId }] },
    });
    expect((await scanLogin(stack, zhang, clock)).result.nextStep).toBe('DONE');
    expect(secretsIn(scanned.text + viewer.text, [t.secret, token])).toEqual([]);
  });

  it("makes a relayed QR useless to another browser: without the creating browser's secret nothing reads, watches or redeems it", async () => {
    const victim = await newTicket(stack, chrome);
    const attacker = await newTicket(stack, attackerBrowser);
    ok(
      await gql(stack, ops.scan, {
        input: await signed(zhang, 'scan', victim.qrPayload, clock.now()),
      }),
    );
    ok(
      await gql(stack, ops.confirm, {
        input: await signed(zhang, 'confirm', victim.qrPayload, clock.now()),
      }),
    );
    for (const secret of ['', attacker.secret, 'x'.repeat(43)]) {
      expect(
        codes(await gql(stack, ops.redeem, { id: victim.id, secret }, attackerBrowser)),
      ).toEqual(['TICKET_INVALID']);
      expect(
        codes(await gql(stack, ops.readTicket, { id: victim.id, secret }, attackerBrowser)),
      ).toEqual(['TICKET_INVALID']);
    }
    const watcher = wsClient(stack);
    clients.push(watcher);
    const watched = await new Promise<unknown>((resolve) =>
      watcher.subscribe(
        { query: ops.ticketChanged, variables: { id: victim.id, secret: attacker.secret } },
        { next: resolve, error: resolve, complete: () => resolve('complete') },
      ),
    );
    expect(JSON.stringify(watched)).toContain('TICKET_INVALID');
    expect(
      codes(
        await gql(stack, ops.redeem, { id: attacker.id, secret: attacker.secret }, attackerBrowser),
      ),
    ).toEqual(['TICKET_NOT_CONFIRMED']);
    expect(
      ok(await gql(stack, ops.redeem, { id: victim.id, secret: victim.secret }, chrome)).data
        .redeemLoginTicket.token,
    ).toBeTruthy();
  });

  it('fails reused, rejected and expired tickets cleanly with stable codes and Chinese messages', async () => {
    const used = await newTicket(stack);
    ok(
      await gql(stack, ops.scan, {
        input: await signed(zhang, 'scan', used.qrPayload, clock.now()),
      }),
    );
    ok(
      await gql(stack, ops.confirm, {
        input: await signed(zhang, 'confirm', used.qrPayload, clock.now()),
      }),
    );
    ok(await gql(stack, ops.redeem, { id: used.id, secret: used.secret }));
    const again = await gql(stack, ops.redeem, { id: used.id, secret: used.secret });
    expect(codes(again)).toEqual(['TICKET_USED']);
    expect(again.errors![0]!.message).toBe('登录二维码已使用，请刷新二维码后重新扫码。');
    expect(again.data?.redeemLoginTicket ?? null).toBeNull();
    expect(
      codes(
        await gql(stack, ops.scan, {
          input: await signed(zhang, 'scan', used.qrPayload, clock.now()),
        }),
      ),
    ).toEqual(['TICKET_USED']);

    const rejected = await newTicket(stack);
    ok(
      await gql(stack, ops.scan, {
        input: await signed(zhang, 'scan', rejected.qrPayload, clock.now()),
      }),
    );
    expect(
      ok(
        await gql(stack, ops.reject, {
          input: await signed(zhang, 'reject', rejected.qrPayload, clock.now()),
        }),
      ).data.rejectLoginTicket.status,
    ).toBe('REJECTED');
    const refused = await gql(stack, ops.redeem, { id: rejected.id, secret: rejected.secret });
    expect(codes(refused)).toEqual(['TICKET_REJECTED']);
    expect(refused.errors![0]!.message).toMatch(/拒绝/);
    expect(
      codes(
        await gql(stack, ops.confirm, {
          input: await signed(zhang, 'confirm', rejected.qrPayload, clock.now()),
        }),
      ),
    ).toEqual(['TICKET_REJECTED']);

    const pending = await newTicket(stack);
    const confirmed = await newTicket(stack);
    ok(
      await gql(stack, ops.scan, {
        input: await signed(zhang, 'scan', confirmed.qrPayload, clock.now()),
      }),
    );
    ok(
      await gql(stack, ops.confirm, {
        input: await signed(zhang, 'confirm', confirmed.qrPayload, clock.now()),
      }),
    );
    clock.advance(31); // LOGIN_TICKET_TTL_SECONDS=30
    const late = await gql(stack, ops.scan, {
      input: await signed(zhang, 'scan', pending.qrPayload, clock.now()),
    });
    expect(codes(late)).toEqual(['TICKET_EXPIRED']);
    expect(late.errors![0]!.message).toMatch(/已过期/);
    expect(
      codes(await gql(stack, ops.redeem, { id: confirmed.id, secret: confirmed.secret })),
    ).toEqual(['TICKET_EXPIRED']);
    expect(
      ok(await gql(stack, ops.readTicket, { id: pending.id, secret: pending.secret })).data
        .loginTicket.status,
    ).toBe('EXPIRED');
  });

  it('refuses a forged device signature and a replayed one (the same signed payload twice)', async () => {
    const t = await newTicket(stack);
    const forger = await newDeviceKey();
    const forged = await signed(
      { deviceId: zhang.deviceId, key: forger },
      'scan',
      t.qrPayload,
      clock.now(),
    );
    expect(codes(await gql(stack, ops.scan, { input: forged }))).toEqual(['SIGNATURE_INVALID']);
    const genuine = await signed(zhang, 'scan', t.qrPayload, clock.now());
    expect(
      codes(
        await gql(stack, ops.scan, {
          input: {
            ...genuine,
            signedAt: new Date(Date.parse(genuine.signedAt) + 1000).toISOString(),
          },
        }),
      ),
    ).toEqual(['SIGNATURE_INVALID']);
    expect(
      codes(await gql(stack, ops.scan, { input: { ...genuine, deviceId: li.deviceId } })),
    ).toEqual(['SIGNATURE_INVALID']);
    expect(
      codes(
        await gql(stack, ops.scan, {
          input: await signed(zhang, 'confirm', t.qrPayload, clock.now()),
        }),
      ),
    ).toEqual(['SIGNATURE_INVALID']);
    ok(await gql(stack, ops.scan, { input: genuine }));
    const replay = await gql(stack, ops.scan, { input: genuine });
    expect(codes(replay)).toEqual(['SIGNATURE_REPLAYED']);
    expect(replay.errors![0]!.message).toBe('该签名已使用，请重新扫码。');
    const stale = await signed(
      zhang,
      'confirm',
      t.qrPayload,
      new Date(clock.now().getTime() - 120_000),
    );
    expect(codes(await gql(stack, ops.confirm, { input: stale }))).toEqual(['SIGNATURE_EXPIRED']);
    expect(
      ok(await gql(stack, ops.readTicket, { id: t.id, secret: t.secret })).data.loginTicket.status,
    ).toBe('SCANNED');
  });

  it('ends the sessions a device confirmed when the lawyer revokes it, and refuses its signatures after', async () => {
    const { token } = await scanLogin(stack, li, clock);
    const revoked = ok(
      await gql(
        stack,
        /* GraphQL */ `
          mutation R($id: ID!) {
            revokeDevice(id: $id) {
              id
              revokedAt
            }
          }
        `,
        { id: li.deviceId },
        { token },
      ),
    );
    expect(revoked.data.revokeDevice.revokedAt).toBeTruthy();
    expect(
      codes(
        await gql(
          stack,
          /* GraphQL */ `
            {
              viewer {
                session {
                  id
                }
              }
            }
          `,
          {},
          { token },
        ),
      ),
    ).toEqual(['UNAUTHENTICATED']);
    const t = await newTicket(stack);
    expect(
      codes(
        await gql(stack, ops.scan, { input: await signed(li, 'scan', t.qrPayload, clock.now()) }),
      ),
    ).toEqual(['DEVICE_INVALID']);
    expect(
      await stack.services.identity.models.AuditEvent.findOne({
        kind: 'DEVICE_REVOKED',
        actorId: people.liSiId,
      })
        .lean()
        .exec(),
    ).toBeTruthy();
  });

  it("refuses a direct call to a subgraph with a forged identity, while the gateway's own token passes", async () => {
    const claim = lawyerIdentity(people.zhangSanId, true);
    const query = {
      query: /* GraphQL */ `
        query L($id: ID!) {
          lawyer(id: $id) {
            id
            name
            devices {
              id
            }
          }
        }
      `,
      variables: { id: people.zhangSanId },
    };
    const attempts: Record<string, Record<string, string>> = {
      'no token, identity in a header': { 'x-identity': JSON.stringify(claim) },
      'a token signed with another key': {
        [internalTokenHeader]: await mintInternalToken('f'.repeat(64), 'identity', claim),
      },
      'the cases audience': {
        [internalTokenHeader]: await mintInternalToken(stack.secrets.internal, 'cases', claim),
      },
    };
    for (const [name, headers] of Object.entries(attempts)) {
      const res = await fetch(stack.urls.identity, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(query),
      });
      const text = await res.text();
      expect(res.status, name).toBe(401);
      expect(text, name).not.toContain(zhangSan.name);
    }
    const cases = await fetch(stack.urls.cases, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [internalTokenHeader]: await mintInternalToken('f'.repeat(64), 'cases', claim),
      },
      body: JSON.stringify({ query: '{ bindingReviewQueue { totalCount } }' }),
    });
    expect(cases.status).toBe(401);
    const genuine = await fetch(stack.urls.identity, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [internalTokenHeader]: await mintInternalToken(stack.secrets.internal, 'identity', claim),
      },
      body: JSON.stringify(query),
    });
    expect(
      ((await genuine.json()) as { data: { lawyer: { name: string } } }).data.lawyer.name,
    ).toBe(zhangSan.name);
  });
});
