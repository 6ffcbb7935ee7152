import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '@yuejuan/runtime/testing';
import { startIdentity, type Harness } from './harness.ts';
import { seedPeople, zhangSan } from './fixtures.ts';
import { activate, newTicket, scanLogin, signed, ticketOps } from './verifier.ts';

describe('secrets never leave through logs, events or answers', () => {
  let h: Harness;
  const lines: string[] = [];

  beforeAll(async () => {
    h = await startIdentity('identity_secrets', { logLines: lines });
    await seedPeople(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('keeps codes, passwords, ticket secrets and tokens out of the log and the event bus', async () => {
    const zhang = await activate(h, zhangSan, '13800138000');
    const activationCode = h.sms.lastCode(zhang.phone);
    const login = await scanLogin(h, zhang);
    await h.call(
      login.identity,
      /* GraphQL */ `
        mutation {
          setPassword(newPassword: "Secret2025pass")
        }
      `,
    );
    const t = await newTicket(h);
    await h.call(anonymous, ticketOps.scan, {
      input: await signed(zhang, 'scan', t.qrPayload, h.clock.now()),
    });
    await h.call(anonymous, ticketOps.redeem, { id: t.id, secret: 'wrong-secret' });
    await h.call(
      anonymous,
      /* GraphQL */ `
        mutation {
          loginWithPassword(phone: "13800138000", password: "Wrong2025guess") {
            token
          }
        }
      `,
    );
    await h.call(
      anonymous,
      /* GraphQL */ `
        query {
          lawyer(id: "x") {
            id
          }
        }
      `,
      {},
      {},
    ); // a logged refusal

    const events = await h.db
      .getClient()
      .db(`${h.db.name}_ev`)
      .collection('events')
      .find({})
      .toArray();
    expect(events.map((e) => e.topic)).toEqual(
      expect.arrayContaining(['identity.loginTicket.changed']),
    );
    const audit = await h.models.AuditEvent.find({}).lean().exec();
    const everything = JSON.stringify({ lines, events, audit });
    for (const secret of [
      activationCode,
      'Secret2025pass',
      'Wrong2025guess',
      'wrong-secret',
      t.secret,
      login.token,
      zhangSan.idNumber,
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(lines.length).toBeGreaterThan(0);
  });
});
