// The journey's steps through the gateway's API, as the verifier, the portal and the console
// make them: activation with a WebCrypto P-256 device key, scan login, prosecutor login with
// the SMS code, uploads, decisions, the package and its download. Codes and passwords are read
// from the development SMS inbox. Named fixtures: the people and cases of the test.
import { webcrypto } from 'node:crypto';
import type { Deployment } from './backup-stack.ts';

export const shanghai = {
  id: 'SH-310000',
  name: '上海市人民检察院',
  province: '上海市',
  onlineReadingEnabled: true,
};
export const zhangSan = {
  name: '张三',
  idNumber: '310104198506123017',
  licenceNumber: '13101200510123456',
  lawFirm: '上海明理律师事务所',
  phone: '13600000071',
};
export const wang = {
  name: '王检察官',
  username: 'wang.sh',
  procuratorateId: shanghai.id,
  phone: '13916000071',
  password: 'Backup-Test-2025',
};
export const cases = [1, 2].map((n) => ({
  departmentCaseNumber: `沪检刑诉〔2025〕${880 + n}号`,
  caseName: `备份案件${n}`,
  suspects: [`嫌疑人${n}`],
  stage: 'PROSECUTION_REVIEW' as const,
}));

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** One operation through the gateway; throws with the errors when there are any. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL answers freely
export async function gql<T = any>(
  d: Deployment,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  const res = await fetch(`${d.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GraphQLError[] };
  if (body.errors?.length)
    throw new Error(`${query.trim().split('\n')[0]}: ${JSON.stringify(body.errors)}`);
  return body.data!;
}

/** Polls `check` until it answers something truthy. */
export async function until<T>(check: () => Promise<T>, ms = 30_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Sms {
  id: string;
  kind: string;
  text: string;
}

/** The development SMS inbox of `phone`, newest first. */
export async function inbox(d: Deployment, phone: string): Promise<Sms[]> {
  const data = await gql<{ devSmsInbox: Sms[] }>(
    d,
    /* GraphQL */ `
      query Inbox($phone: String) {
        devSmsInbox(phone: $phone, first: 50) {
          id
          kind
          text
        }
      }
    `,
    { phone },
  );
  return data.devSmsInbox;
}

/** Waits for an SMS of `kind` to `phone` that no earlier call took. */
export async function nextSms(d: Deployment, phone: string, kind: string, taken: Set<string>) {
  const sms = await until(async () =>
    (await inbox(d, phone)).find((m) => m.kind === kind && !taken.has(m.id)),
  );
  taken.add(sms.id);
  return sms.text;
}
const codeIn = (text: string) => /\d{6}/.exec(text)![0];

/** A verifier: its device id and its P-256 key (the private key never leaves this object). */
export interface Verifier {
  deviceId: string;
  sign(action: string, qrPayload: string): Promise<Record<string, string>>;
}

async function deviceKey() {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
    'sign',
    'verify',
  ]);
  return {
    publicKeyJwk: JSON.stringify(await webcrypto.subtle.exportKey('jwk', pair.publicKey)),
    async sign(message: string) {
      const signature = await webcrypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.privateKey,
        new TextEncoder().encode(message),
      );
      return Buffer.from(signature).toString('base64url');
    },
  };
}

/** Flow 1 on the verifier: register check, face check (demo provider), phone binding. */
export async function activate(d: Deployment, taken: Set<string>): Promise<Verifier> {
  const started = (
    await gql(
      d,
      /* GraphQL */ `
        mutation Start($input: StartActivationInput!) {
          startActivation(input: $input) {
            id
            status
          }
        }
      `,
      {
        input: {
          name: zhangSan.name,
          idNumber: zhangSan.idNumber,
          licenceNumber: zhangSan.licenceNumber,
        },
      },
    )
  ).startActivation;
  await gql(
    d,
    /* GraphQL */ `
      mutation Face($id: ID!, $image: String!) {
        submitFaceVerification(activationId: $id, image: $image) {
          status
        }
      }
    `,
    { id: started.id, image: Buffer.alloc(96, 7).toString('base64') },
  );
  await gql(
    d,
    /* GraphQL */ `
      mutation Code($id: ID!, $phone: String!) {
        requestActivationSmsCode(activationId: $id, phone: $phone) {
          expiresInSeconds
        }
      }
    `,
    { id: started.id, phone: zhangSan.phone },
  );
  const code = codeIn(await nextSms(d, zhangSan.phone, 'BINDING_PHONE_CODE', taken));
  const key = await deviceKey();
  const device = (
    await gql(
      d,
      /* GraphQL */ `
        mutation Complete($input: CompleteActivationInput!) {
          completeActivation(input: $input) {
            id
          }
        }
      `,
      {
        input: {
          activationId: started.id,
          phone: zhangSan.phone,
          code,
          publicKeyJwk: key.publicKeyJwk,
          deviceName: 'iPhone 15',
        },
      },
    )
  ).completeActivation;
  return {
    deviceId: device.id,
    async sign(action, qrPayload) {
      const signedAt = new Date().toISOString();
      return {
        qrPayload,
        deviceId: device.id,
        signedAt,
        signature: await key.sign(`${action}|${qrPayload}|${signedAt}`),
      };
    },
  };
}

/** 律师认证登录 on the portal (ticket, scan, confirm, redeem), then 授权信息 and 完善信息; the session token. */
export async function lawyerLogin(d: Deployment, v: Verifier): Promise<string> {
  const { ticket, ticketSecret } = (
    await gql(
      d,
      /* GraphQL */ `
        mutation Create {
          createLoginTicket {
            ticketSecret
            ticket {
              id
              qrPayload
            }
          }
        }
      `,
    )
  ).createLoginTicket;
  for (const [action, field] of [
    ['scan', 'scanLoginTicket'],
    ['confirm', 'confirmLoginTicket'],
  ] as const)
    await gql(
      d,
      `mutation A($input: SignedTicketActionInput!) { ${field}(input: $input) { __typename } }`,
      { input: await v.sign(action, ticket.qrPayload) },
    );
  let token = (
    await gql(
      d,
      /* GraphQL */ `
        mutation Redeem($id: ID!, $secret: String!) {
          redeemLoginTicket(id: $id, ticketSecret: $secret) {
            token
          }
        }
      `,
      { id: ticket.id, secret: ticketSecret },
    )
  ).redeemLoginTicket.token as string;
  const version = (await gql(d, `{ currentConsentText { version } }`)).currentConsentText.version;
  token =
    (
      await gql(
        d,
        `mutation C($v: String!) { acceptConsent(version: $v) { token } }`,
        { v: version },
        token,
      )
    ).acceptConsent.token ?? token;
  await gql(
    d,
    /* GraphQL */ `
      mutation P($input: CompleteProfileInput!) {
        completeProfile(input: $input) {
          nextStep
        }
      }
    `,
    { input: { phone: zhangSan.phone } },
    token,
  );
  return token;
}

/** 检察人员登录: username, password and the SMS code. */
export async function prosecutorLogin(d: Deployment, taken: Set<string>): Promise<string> {
  const credentials = { username: wang.username, password: wang.password };
  await gql(
    d,
    /* GraphQL */ `
      mutation R($username: String!, $password: String!) {
        requestProsecutorSmsCode(username: $username, password: $password) {
          expiresInSeconds
        }
      }
    `,
    credentials,
  );
  const smsCode = codeIn(await nextSms(d, wang.phone, 'PROSECUTOR_LOGIN_CODE', taken));
  return (
    await gql(
      d,
      /* GraphQL */ `
        mutation L($username: String!, $password: String!, $smsCode: String!) {
          prosecutorLogin(username: $username, password: $password, smsCode: $smsCode) {
            token
          }
        }
      `,
      { ...credentials, smsCode },
    )
  ).prosecutorLogin.token;
}

/** Confirms a step-up challenge of `purpose` for the session with the verifier's key. */
export async function stepUp(d: Deployment, token: string, v: Verifier, purpose: string) {
  const challenge = (
    await gql(
      d,
      /* GraphQL */ `
        mutation C($purpose: StepUpPurpose!) {
          createVerificationChallenge(purpose: $purpose) {
            qrPayload
          }
        }
      `,
      { purpose },
      token,
    )
  ).createVerificationChallenge;
  await gql(
    d,
    /* GraphQL */ `
      mutation V($input: SignedTicketActionInput!) {
        confirmVerificationChallenge(input: $input) {
          status
        }
      }
    `,
    { input: await v.sign('step-up', challenge.qrPayload) },
  );
}

/** Uploads a PDF through a gateway route; answers the stored id. */
export async function upload(d: Deployment, path: string, token: string, body: Buffer) {
  const res = await fetch(`${d.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/pdf', authorization: `Bearer ${token}` },
  });
  const json = (await res.json()) as { id?: string };
  if (res.status !== 201 || !json.id)
    throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json.id;
}

/** A one-page PDF with a correct cross-reference table (what the upload routes accept). */
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

export const ops = {
  submitBinding: /* GraphQL */ `
    mutation B($input: BindingApplicationInput!) {
      submitBindingApplication(input: $input) {
        id
        status
      }
    }
  `,
  approveBinding: /* GraphQL */ `
    mutation A($id: ID!) {
      approveBindingApplication(id: $id) {
        id
        status
      }
    }
  `,
  terms: /* GraphQL */ `
    {
      readingTerms {
        notice {
          version
        }
        undertaking {
          version
        }
      }
    }
  `,
  submitReading: /* GraphQL */ `
    mutation R($input: ReadingApplicationInput!) {
      submitReadingApplication(input: $input) {
        id
        status
      }
    }
  `,
  approveReading: /* GraphQL */ `
    mutation A($id: ID!) {
      approveReadingApplication(id: $id) {
        id
        appointment {
          id
        }
      }
    }
  `,
  publish: /* GraphQL */ `
    mutation P($id: ID!) {
      publishPackage(appointmentId: $id) {
        id
        status
      }
    }
  `,
  appointment: /* GraphQL */ `
    query Q($id: ID!) {
      appointment(id: $id) {
        id
        status
        package {
          id
          status
          sha256
          sizeBytes
        }
      }
    }
  `,
  acknowledge: /* GraphQL */ `
    mutation K($id: ID!) {
      acknowledgeReceipt(appointmentId: $id) {
        id
      }
    }
  `,
  unlock: /* GraphQL */ `
    mutation U($id: ID!, $password: String!) {
      unlockDownload(appointmentId: $id, password: $password) {
        url
      }
    }
  `,
};
