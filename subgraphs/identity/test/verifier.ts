// A verifier (the mini program stand-in) as tests drive it: a P-256 key made with WebCrypto, as
// the browser makes it, and the API calls of activation, scanning and confirming.
import { webcrypto } from 'node:crypto';
import { anonymous } from '@yuejuan/runtime/testing';
import type { Harness } from './harness.ts';

/** A device key pair; the private key never leaves this object. */
export async function newDeviceKey() {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  const jwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey);
  return {
    publicKeyJwk: JSON.stringify(jwk),
    /** WebCrypto's ECDSA signature (IEEE P1363 r||s), base64url. */
    async sign(message: string): Promise<string> {
      const signature = await webcrypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        new TextEncoder().encode(message),
      );
      return Buffer.from(signature).toString('base64url');
    },
  };
}
export type DeviceKey = Awaited<ReturnType<typeof newDeviceKey>>;

export type Action = 'scan' | 'confirm' | 'reject' | 'step-up';

/** An activated verifier: its device id and key. */
export interface Verifier {
  deviceId: string;
  key: DeviceKey;
  lawyerId: string;
  phone: string;
}

/** The SignedTicketActionInput a verifier sends for `action` on `qrPayload`. */
export async function signed(
  v: Pick<Verifier, 'deviceId' | 'key'>,
  action: Action,
  qrPayload: string,
  signedAt: Date,
) {
  const at = signedAt.toISOString();
  return {
    qrPayload,
    deviceId: v.deviceId,
    signedAt: at,
    signature: await v.key.sign(`${action}|${qrPayload}|${at}`),
  };
}

export const activationOps = {
  start: /* GraphQL */ `
    mutation Start($input: StartActivationInput!) {
      startActivation(input: $input) {
        id
        status
        failureReason
        supportHotline
        expiresAt
      }
    }
  `,
  face: /* GraphQL */ `
    mutation Face($id: ID!, $image: String!) {
      submitFaceVerification(activationId: $id, image: $image) {
        id
        status
        failureReason
        supportHotline
      }
    }
  `,
  code: /* GraphQL */ `
    mutation Code($id: ID!, $phone: String!) {
      requestActivationSmsCode(activationId: $id, phone: $phone) {
        phoneMasked
        resendAfterSeconds
        expiresInSeconds
      }
    }
  `,
  complete: /* GraphQL */ `
    mutation Complete($input: CompleteActivationInput!) {
      completeActivation(input: $input) {
        id
        name
        activatedAt
        lastUsedAt
        revokedAt
      }
    }
  `,
};

/** A photo the demo face check accepts (any 64 bytes or more). */
export const facePhoto = Buffer.alloc(96, 7).toString('base64');

/** What the verifier's first page asks for (姓名, 身份证号, 执业证号). */
export const personalInfo = (p: { name: string; idNumber: string; licenceNumber: string }) => ({
  name: p.name,
  idNumber: p.idNumber,
  licenceNumber: p.licenceNumber,
});

/** Runs the whole activation of a register lawyer through the API; returns the verifier. */
export async function activate(
  h: Harness,
  person: { name: string; idNumber: string; licenceNumber: string },
  phone: string,
  deviceName = 'iPhone 15',
): Promise<Verifier> {
  const call = async (query: string, variables: Record<string, unknown>) => {
    const r = await h.call(anonymous, query, variables);
    if (r.errors) throw new Error(`activation failed: ${JSON.stringify(r.errors)}`);
    return r.data;
  };
  const started = await call(activationOps.start, { input: personalInfo(person) });
  const id = started.startActivation.id as string;
  if (started.startActivation.status !== 'INFO_VERIFIED')
    throw new Error(`activation not verified: ${started.startActivation.failureReason}`);
  await call(activationOps.face, { id, image: facePhoto });
  await call(activationOps.code, { id, phone });
  const key = await newDeviceKey();
  const done = await call(activationOps.complete, {
    input: {
      activationId: id,
      phone,
      code: h.sms.lastCode(phone),
      publicKeyJwk: key.publicKeyJwk,
      deviceName,
    },
  });
  const lawyer = (await h.models.Lawyer.findOne({ licenceNumber: person.licenceNumber })
    .lean()
    .exec())!;
  return { deviceId: done.completeActivation.id, key, lawyerId: lawyer._id, phone };
}

export const ticketOps = {
  create: /* GraphQL */ `
    mutation Create {
      createLoginTicket {
        ticketSecret
        ticket {
          id
          status
          qrPayload
          qrSvg
          expiresAt
        }
      }
    }
  `,
  scan: /* GraphQL */ `
    mutation Scan($input: SignedTicketActionInput!) {
      scanLoginTicket(input: $input) {
        kind
        site
        purpose
        browser
        ip
        requestedAt
        expiresAt
      }
    }
  `,
  confirm: /* GraphQL */ `
    mutation Confirm($input: SignedTicketActionInput!) {
      confirmLoginTicket(input: $input) {
        id
        status
      }
    }
  `,
  reject: /* GraphQL */ `
    mutation Reject($input: SignedTicketActionInput!) {
      rejectLoginTicket(input: $input) {
        id
        status
      }
    }
  `,
  redeem: /* GraphQL */ `
    mutation Redeem($id: ID!, $secret: String!) {
      redeemLoginTicket(id: $id, ticketSecret: $secret) {
        token
        nextStep
        session {
          id
          role
          method
          identityVerified
        }
      }
    }
  `,
  read: /* GraphQL */ `
    query Ticket($id: ID!, $secret: String!) {
      loginTicket(id: $id, ticketSecret: $secret) {
        id
        status
        qrPayload
      }
    }
  `,
};

/** A portal browser asks for a ticket. */
export async function newTicket(
  h: Harness,
  client = {
    ip: '198.51.100.20',
    userAgent:
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  },
) {
  const r = await h.call(anonymous, ticketOps.create, {}, client);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const { ticket, ticketSecret } = r.data.createLoginTicket;
  return {
    id: ticket.id as string,
    qrPayload: ticket.qrPayload as string,
    secret: ticketSecret as string,
    ticket,
  };
}

/** The whole 律师认证登录: ticket, scan, confirm, redeem; returns the token and the identity it resolves to. */
export async function scanLogin(h: Harness, v: Verifier) {
  const t = await newTicket(h);
  for (const [op, action] of [
    [ticketOps.scan, 'scan'],
    [ticketOps.confirm, 'confirm'],
  ] as const) {
    const r = await h.call(anonymous, op, {
      input: await signed(v, action, t.qrPayload, h.clock.now()),
    });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
  }
  const r = await h.call(anonymous, ticketOps.redeem, { id: t.id, secret: t.secret });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const token = r.data.redeemLoginTicket.token as string;
  const identity = await h.services.sessions.resolve(token, h.clock.now());
  if (!identity) throw new Error('scan login session did not resolve');
  return { token, identity, result: r.data.redeemLoginTicket };
}
