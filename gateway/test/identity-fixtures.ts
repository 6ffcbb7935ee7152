// What the identity tests through the gateway share: a portal browser and a verifier (a P-256
// key made with WebCrypto, as the verifier makes it) talking to the real gateway over HTTP and
// WebSocket, codes read from the development SMS inbox, and a clock the identity subgraph reads.
import { webcrypto } from 'node:crypto';
import WebSocket from 'ws';
import { createClient, type Client } from 'graphql-ws';
import type { SmsRequest, SmsSender } from '@yuejuan/identity/services';
import { startStack, type Stack, type StackOptions } from './stack.ts';

export type GraphQLError = {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
};
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the JSON answer freely
export type Answer = { status: number; data?: any; errors?: GraphQLError[]; text: string };

/** A portal browser or verifier as the gateway sees it: its address (X-Forwarded-For, trusted here) and user agent. */
export interface Caller {
  token?: string;
  ip?: string;
  userAgent?: string;
}

export const chrome = {
  ip: '198.51.100.20',
  userAgent:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
};
export const attackerBrowser = {
  ip: '203.0.113.66',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
};

/** A clock that follows real time plus an offset tests move forward (the identity subgraph's `now`). */
export function createTestClock() {
  let offsetMs = 0;
  return {
    now: (): Date => new Date(Date.now() + offsetMs),
    advance(seconds: number): void {
      offsetMs += seconds * 1000;
    },
  };
}
export type TestClock = ReturnType<typeof createTestClock>;

/** The stack with the gateway trusting loopback as a proxy (so tests can speak from several IPs through X-Forwarded-For) and identity on `clock`. */
export async function startIdentityStack(
  label: string,
  clock: TestClock,
  options: StackOptions = {},
) {
  return startStack(label, {
    ...options,
    gatewayEnv: { YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1', ...options.gatewayEnv },
    identityDeps: { now: clock.now, ...options.identityDeps },
  });
}

/** One operation through the gateway as `caller`; the raw text is kept for secret checks. */
export async function gql(
  stack: Stack,
  query: string,
  variables: Record<string, unknown> = {},
  caller: Caller = {},
): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  if (caller.ip) headers['x-forwarded-for'] = caller.ip;
  if (caller.userAgent) headers['user-agent'] = caller.userAgent;
  const res = await fetch(stack.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    ...(JSON.parse(text) as { data?: unknown; errors?: GraphQLError[] }),
  };
}

/** The codes of an answer's errors, in order. */
export const codes = (answer: { errors?: GraphQLError[] }): unknown[] =>
  (answer.errors ?? []).map((e) => e.extensions?.code);

/** Throws with the errors when an operation that must succeed did not. */
export function ok(answer: Answer): Answer {
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer;
}

/** A WebSocket client of the gateway (graphql-ws), as the portal opens it. */
export function wsClient(stack: Stack, token?: string): Client {
  return createClient({
    url: stack.url.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
}

/** Polls `check` until it answers something truthy (or fails after `ms`). */
export async function until<T>(check: () => T | Promise<T>, ms = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Messages already read: each read waits for a message of its kind that no earlier read took.
const taken = new Set<string>();

/** The text of the next SMS of `kind` to `phone`, read from notifications' development SMS inbox through the gateway. */
export async function smsText(stack: Stack, phone: string, kind: string): Promise<string> {
  const inbox = /* GraphQL */ `
    query Inbox($phone: String) {
      devSmsInbox(phone: $phone, first: 50) {
        id
        kind
        text
      }
    }
  `;
  const messages = async () =>
    ok(await gql(stack, inbox, { phone })).data.devSmsInbox as {
      id: string;
      kind: string;
      text: string;
    }[];
  const message = await until(async () =>
    (await messages()).filter((m) => m.kind === kind && !taken.has(m.id)).at(-1),
  );
  taken.add(message.id);
  return message.text;
}

/** The six-digit code of the next SMS of `kind` (default: a login code) to `phone`. */
export async function smsCode(stack: Stack, phone: string, kind = 'LOGIN_CODE'): Promise<string> {
  const text = await smsText(stack, phone, kind);
  const code = /\d{6}/.exec(text)?.[0];
  if (!code) throw new Error(`no code in the SMS: ${text}`);
  return code;
}

/** Reads the code of the next SMS of a kind to a phone (the dev inbox, or a recording double). */
export type CodeReader = (phone: string, kind: string) => Promise<string>;

/** The identity subgraph's SMS channel replaced by a recorder (tests of identity's own limits, apart from notifications'). */
export function createRecordingSms(): SmsSender & { sent: SmsRequest[]; read: CodeReader } {
  const sent: SmsRequest[] = [];
  return {
    sent,
    async send(request) {
      sent.push(request);
    },
    async read(phone, kind) {
      const request = sent.filter((r) => r.phone === phone && r.kind === kind).at(-1);
      if (!request) throw new Error(`no ${kind} SMS to ${phone}`);
      return String(request.variables.code);
    },
  };
}

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

/** An activated verifier: its device, key, lawyer and bound phone. */
export interface Verifier {
  deviceId: string;
  key: Awaited<ReturnType<typeof newDeviceKey>>;
  lawyerId: string;
  phone: string;
}

/** The SignedTicketActionInput a verifier sends for `action` on `qrPayload` (signed `action|qrPayload|signedAt`). */
export async function signed(
  v: Pick<Verifier, 'deviceId' | 'key'>,
  action: 'scan' | 'confirm' | 'reject' | 'step-up',
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

export const ops = {
  start: /* GraphQL */ `
    mutation Start($input: StartActivationInput!) {
      startActivation(input: $input) {
        id
        status
        failureReason
        supportHotline
      }
    }
  `,
  face: /* GraphQL */ `
    mutation Face($id: ID!, $image: String!) {
      submitFaceVerification(activationId: $id, image: $image) {
        id
        status
      }
    }
  `,
  activationCode: /* GraphQL */ `
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
        revokedAt
      }
    }
  `,
  createTicket: /* GraphQL */ `
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
  readTicket: /* GraphQL */ `
    query Ticket($id: ID!, $secret: String!) {
      loginTicket(id: $id, ticketSecret: $secret) {
        id
        status
        qrPayload
      }
    }
  `,
  ticketChanged: /* GraphQL */ `
    subscription Ticket($id: ID!, $secret: String!) {
      loginTicketChanged(id: $id, ticketSecret: $secret) {
        id
        status
      }
    }
  `,
  requestLoginCode: /* GraphQL */ `
    mutation Req($phone: String!) {
      requestLoginSmsCode(phone: $phone) {
        phoneMasked
        resendAfterSeconds
        expiresInSeconds
      }
    }
  `,
  loginWithCode: /* GraphQL */ `
    mutation Login($phone: String!, $code: String!) {
      loginWithSmsCode(phone: $phone, code: $code) {
        token
        nextStep
        session {
          method
          identityVerified
        }
      }
    }
  `,
  loginWithPassword: /* GraphQL */ `
    mutation Login($phone: String!, $password: String!) {
      loginWithPassword(phone: $phone, password: $password) {
        token
      }
    }
  `,
  createChallenge: /* GraphQL */ `
    mutation Challenge($purpose: StepUpPurpose!) {
      createVerificationChallenge(purpose: $purpose) {
        id
        purpose
        status
        qrPayload
        expiresAt
      }
    }
  `,
  confirmChallenge: /* GraphQL */ `
    mutation Confirm($input: SignedTicketActionInput!) {
      confirmVerificationChallenge(input: $input) {
        id
        purpose
        status
      }
    }
  `,
  consent: /* GraphQL */ `
    mutation Consent($v: String!) {
      acceptConsent(version: $v) {
        token
        nextStep
      }
    }
  `,
  consentText: /* GraphQL */ `
    {
      currentConsentText {
        version
      }
    }
  `,
};

/** A photo the demo face check accepts. */
export const facePhoto = Buffer.alloc(96, 7).toString('base64');

/** The whole activation of a register lawyer through the gateway (SMS code from the dev inbox); returns the verifier. */
export async function activate(
  stack: Stack,
  person: { name: string; idNumber: string; licenceNumber: string },
  phone: string,
  caller: Caller = {},
  readCode?: CodeReader,
): Promise<Verifier> {
  const started = ok(
    await gql(
      stack,
      ops.start,
      {
        input: {
          name: person.name,
          idNumber: person.idNumber,
          licenceNumber: person.licenceNumber,
        },
      },
      caller,
    ),
  ).data.startActivation;
  if (started.status !== 'INFO_VERIFIED')
    throw new Error(`activation not verified: ${started.failureReason}`);
  ok(await gql(stack, ops.face, { id: started.id, image: facePhoto }, caller));
  ok(await gql(stack, ops.activationCode, { id: started.id, phone }, caller));
  const key = await newDeviceKey();
  const code = await (readCode ?? ((p, k) => smsCode(stack, p, k)))(phone, 'BINDING_PHONE_CODE');
  const done = ok(
    await gql(
      stack,
      ops.complete,
      {
        input: {
          activationId: started.id,
          phone,
          code,
          publicKeyJwk: key.publicKeyJwk,
          deviceName: 'iPhone 15',
        },
      },
      caller,
    ),
  ).data.completeActivation;
  const lawyer = (await stack.services.identity.models.Lawyer.findOne({
    licenceNumber: person.licenceNumber,
  })
    .lean()
    .exec())!;
  return { deviceId: done.id, key, lawyerId: lawyer._id, phone };
}

/** A portal browser asks for a login ticket. */
export async function newTicket(stack: Stack, browser: Caller = chrome) {
  const { ticket, ticketSecret } = ok(await gql(stack, ops.createTicket, {}, browser)).data
    .createLoginTicket;
  return {
    id: ticket.id as string,
    qrPayload: ticket.qrPayload as string,
    secret: ticketSecret as string,
    ticket,
  };
}

/** The whole 律师认证登录 through the gateway: ticket, scan, confirm, redeem; returns the token and the answer. */
export async function scanLogin(
  stack: Stack,
  v: Verifier,
  clock: TestClock,
  browser: Caller = chrome,
) {
  const t = await newTicket(stack, browser);
  ok(await gql(stack, ops.scan, { input: await signed(v, 'scan', t.qrPayload, clock.now()) }));
  ok(
    await gql(stack, ops.confirm, { input: await signed(v, 'confirm', t.qrPayload, clock.now()) }),
  );
  const result = ok(await gql(stack, ops.redeem, { id: t.id, secret: t.secret }, browser)).data
    .redeemLoginTicket;
  return { token: result.token as string, result };
}

/** Confirms a step-up challenge of `purpose` for the session `token` with the verifier's key; returns its id. */
export async function stepUp(
  stack: Stack,
  token: string,
  v: Verifier,
  purpose: string,
  clock: TestClock,
): Promise<string> {
  const challenge = ok(await gql(stack, ops.createChallenge, { purpose }, { token })).data
    .createVerificationChallenge;
  ok(
    await gql(stack, ops.confirmChallenge, {
      input: await signed(v, 'step-up', challenge.qrPayload, clock.now()),
    }),
  );
  return challenge.id;
}

/** The secrets of `values` that occur in `text` (none may be in an API answer). */
export const secretsIn = (text: string, values: string[]): string[] =>
  values.filter((v) => v && text.includes(v));

/** A one-page PDF with a correct cross-reference table (what a volume or attachment upload accepts). */
export function tinyPdf(label: string): Buffer {
  const stream = `BT /F1 18 Tf 50 780 Td (${label.replace(/[^A-Za-z0-9 ]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets = objects.map((object, i) => {
    const at = body.length;
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return at;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** Uploads a file through a gateway route (attachments, volumes) as `token`; answers the status and JSON body. */
export async function upload(stack: Stack, path: string, token: string, body: Buffer) {
  const res = await fetch(new URL(path, stack.url), {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
  });
  return {
    status: res.status,
    body: (await res.json()) as { id: string } & Record<string, unknown>,
  };
}

/** Registers a lawyer as the portal does on their first scan: 授权信息 then 完善信息 (the bound phone). */
export async function register(stack: Stack, v: Verifier, clock: TestClock): Promise<string> {
  const { token } = await scanLogin(stack, v, clock);
  const version = ok(await gql(stack, ops.consentText)).data.currentConsentText.version;
  ok(await gql(stack, ops.consent, { v: version }, { token }));
  ok(
    await gql(
      stack,
      /* GraphQL */ `
        mutation P($input: CompleteProfileInput!) {
          completeProfile(input: $input) {
            nextStep
          }
        }
      `,
      { input: { phone: v.phone } },
      { token },
    ),
  );
  return token;
}

/** Phone + SMS code login through the gateway (a session that is not identity-verified); returns its token. */
export async function smsLogin(stack: Stack, phone: string): Promise<string> {
  ok(await gql(stack, ops.requestLoginCode, { phone }));
  const code = await smsCode(stack, phone);
  return ok(await gql(stack, ops.loginWithCode, { phone, code })).data.loginWithSmsCode
    .token as string;
}
