// The whole stack the way `npm start` runs it (infra/ops/src/stack/start.ts), on free ports
// and throw-away database names: demo data, the four subgraphs and the gateway as processes,
// then the three production builds of the clients (`node build`), each told where the
// gateway is. Staff passwords are the demo's (infra/ops/demo); they are set here too when
// demo data without them was seeded (a set password is never overwritten).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@yuejuan/database';
import { createIdentityServices } from '@yuejuan/identity/services';
import {
  seedDemo,
  seedDemoSlots,
  startProcess,
  subgraphNodeFlags,
  type RunningProcess,
} from '@yuejuan/ops';
import { connectMongo, ensureIndexes } from '@yuejuan/runtime';
import { subgraphNames } from '@yuejuan/schema';
import { freePort } from '@yuejuan/database';
import type { DevSms } from './sms.ts';

/** The demo accounts the browser tests log in with. */
export const demo = {
  lawyer: {
    name: '陈志远',
    idNumber: '310104198203143512',
    licenceNumber: '13101200910234561',
    phone: '13912345678',
  },
  smsLawyer: {
    name: '林晓雯',
    idNumber: '310115198709221628',
    licenceNumber: '13101201211108732',
    phone: '13912340002',
  },
  prosecutor: {
    name: '王敏',
    username: 'sh.wang',
    procuratorateId: 'SH-310000',
    phone: '13916025718',
    password: 'Yuejuan-Demo-2025',
  },
  administrator: {
    name: '平台管理员',
    username: 'admin',
    phone: '13800000000',
    password: 'Yuejuan-Demo-2025',
  },
  procuratorate: { id: 'SH-310000', name: '上海市人民检察院' },
  case: {
    departmentCaseNumber: '沪检刑诉〔2025〕1234号',
    caseName: '张某某涉嫌诈骗案',
    suspect: '张建华',
  },
};

export interface ClientStack {
  urls: { gateway: string; graphql: string; portal: string; verifier: string; console: string };
  logDir: string;
  /**
   * GraphQL over HTTP straight to the gateway (for reading the development SMS inbox). A
   * persisted-only gateway runs only the clients' own operations: send one of those texts.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
  graphql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<T>;
  /** The SMS sent to `phone`, newest first (the development inbox, or the cluster's SMS simulator). */
  sms(phone: string): Promise<DevSms[]>;
  /** The apps have the development SMS inbox page (/dev/sms): not in production. */
  devSmsInbox: boolean;
  stop(): Promise<void>;
}

export interface ClientStackOptions {
  /** Short name for database names and the log folder. */
  label: string;
  mongoUri: string;
  /** Extra settings for every service (e.g. LOGIN_TICKET_TTL_SECONDS). */
  env?: Record<string, string>;
  /** Extra settings for the gateway only (e.g. YUEJUAN_PERSISTED_ONLY=true). */
  gatewayEnv?: Record<string, string>;
}

/** A port nobody listens on now (below the kernel's range for outgoing connections). */
export { freePort };

async function setStaffPasswords(mongoUri: string, identityDb: string, idHashKey: string) {
  const connection = await connectMongo(mongoUri, identityDb);
  try {
    const services = createIdentityServices(connection, {
      idHashKey,
      ttlSeconds: 7200,
      verifiedWindowSeconds: 1800,
    });
    await ensureIndexes(connection);
    const { prosecutor: p, administrator: a } = demo;
    await services.registry.importProsecutor({
      name: p.name,
      username: p.username,
      procuratorateId: p.procuratorateId,
      phone: p.phone,
      initialPassword: p.password,
    });
    await services.registry.importAdministrator({
      name: a.name,
      username: a.username,
      phone: a.phone,
      initialPassword: a.password,
    });
  } finally {
    await connection.close();
  }
}

/** Starts database data, subgraphs, gateway and the three built apps; `stop()` ends them all. */
export async function startClientStack(options: ClientStackOptions): Promise<ClientStack> {
  const root = repoRoot();
  for (const app of ['portal', 'verifier', 'console']) {
    if (!existsSync(join(root, 'clients', app, 'build', 'index.js')))
      throw new Error(`clients/${app} 尚未构建：请先运行 npm run build -w @yuejuan/${app}`);
  }
  const tag = `${options.label}_${randomBytes(3).toString('hex')}`;
  const logDir = join(root, 'clients', 'e2e', 'artifacts', 'logs', tag);
  const secrets = {
    internal: randomBytes(32).toString('hex'),
    idHash: randomBytes(32).toString('hex'),
  };
  const db = (name: string) => `e2e_${tag}_${name}`;
  const ports = {
    gateway: await freePort(),
    portal: await freePort(),
    verifier: await freePort(),
    console: await freePort(),
  } as Record<string, number>;
  for (const name of subgraphNames) ports[name] = await freePort();
  const local = (name: string) => `http://127.0.0.1:${ports[name]}`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    MONGODB_URI: options.mongoUri,
    YUEJUAN_INTERNAL_SECRET: secrets.internal,
    YUEJUAN_ID_HASH_KEY: secrets.idHash,
    APOLLO_TELEMETRY_DISABLED: 'true',
    IDENTITY_DB: db('identity'),
    CASES_DB: db('cases'),
    READING_DB: db('reading'),
    NOTIFICATIONS_DB: db('notifications'),
    EVENTS_DB: db('events'),
    IDENTITY_INTERNAL_URL: local('identity'),
    CASES_INTERNAL_URL: local('cases'),
    READING_INTERNAL_URL: local('reading'),
    NOTIFICATIONS_INTERNAL_URL: local('notifications'),
    // OAuth for integrators: the issuer is the gateway's /oauth, the consent page the portal's.
    OAUTH_ISSUER: `${local('gateway')}/oauth`,
    OAUTH_CONSENT_URL: `${local('portal')}/oauth/consent`,
    ...options.env,
  };
  await seedDemo({
    mongoUri: options.mongoUri,
    identityDb: env.IDENTITY_DB!,
    casesDb: env.CASES_DB!,
    idHashKey: secrets.idHash,
  });
  await setStaffPasswords(options.mongoUri, env.IDENTITY_DB!, secrets.idHash);
  await seedDemoSlots({ mongoUri: options.mongoUri, readingDb: env.READING_DB! });

  const running: RunningProcess[] = [];
  const stop = async () => {
    for (const p of [...running].reverse()) await p.stop();
  };
  try {
    await Promise.all(
      subgraphNames.map(async (name) => {
        running.push(
          await startProcess(root, logDir, {
            name,
            entry: `subgraphs/${name}/src/index.ts`,
            healthUrl: `${local(name)}/ready`,
            env: { ...env, PORT: String(ports[name]) },
            nodeFlags: subgraphNodeFlags,
          }),
        );
      }),
    );
    const urls = Object.fromEntries(
      subgraphNames.map((n) => [`${n.toUpperCase()}_URL`, `${local(n)}/graphql`]),
    );
    // The apps forward the browser's address in X-Forwarded-For with the proxy secret, as under npm start.
    const proxySecret = randomBytes(32).toString('hex');
    running.push(
      await startProcess(root, logDir, {
        name: 'gateway',
        entry: 'gateway/src/index.ts',
        healthUrl: `${local('gateway')}/ready`,
        env: {
          ...env,
          ...urls,
          PORT: String(ports.gateway),
          YUEJUAN_TRUSTED_PROXIES: '127.0.0.1,::1',
          YUEJUAN_PROXY_SECRET: proxySecret,
          ...options.gatewayEnv,
        },
      }),
    );
    await Promise.all(
      ['portal', 'verifier', 'console'].map(async (app) => {
        running.push(
          await startProcess(root, logDir, {
            name: app,
            entry: `clients/${app}/build/index.js`,
            healthUrl: `${local(app)}/`,
            env: {
              ...env,
              PORT: String(ports[app]),
              HOST: '127.0.0.1',
              ORIGIN: local(app),
              GATEWAY_URL: local('gateway'),
              BODY_SIZE_LIMIT: 'Infinity',
              YUEJUAN_PROXY_SECRET: proxySecret,
              PUBLIC_VERIFIER_URL: local('verifier'),
              PUBLIC_DEV_SMS_INBOX: 'true',
            },
          }),
        );
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const graphqlUrl = `${local('gateway')}/graphql`;
  const graphql: ClientStack['graphql'] = async (query, variables = {}, token) => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read GraphQL and JSON answers freely
      data?: any;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    if (body.errors?.length)
      throw new Error(`${body.errors[0]!.extensions?.code}: ${body.errors[0]!.message}`);
    return body.data;
  };
  return {
    urls: {
      gateway: local('gateway'),
      graphql: graphqlUrl,
      portal: local('portal'),
      verifier: local('verifier'),
      console: local('console'),
    },
    logDir,
    graphql,
    devSmsInbox: true,
    async sms(phone) {
      // The inbox page's own operation (shared SmsInbox.svelte): a persisted-only gateway knows it.
      const data = await graphql<{ devSmsInbox: DevSms[] }>(
        /* GraphQL */ `
          query DevSmsInbox($phone: String) {
            devSmsInbox(phone: $phone, first: 50) {
              id
              phone
              kind
              text
              sentAt
            }
          }
        `,
        { phone },
      );
      return data.devSmsInbox;
    },
    stop,
  };
}

/**
 * A stack started by someone else, named in YUEJUAN_E2E_STACK as JSON `{urls, smsInbox,
 * logDir}`: the cluster's chaos test runs the journey against the production topology this way
 * (its SMS come from the SMS simulator's inbox). Undefined when the variable is not set.
 */
export function attachedStack(): ClientStack | undefined {
  const raw = process.env.YUEJUAN_E2E_STACK;
  if (!raw) return undefined;
  const given = JSON.parse(raw) as {
    urls: ClientStack['urls'];
    smsInbox: string;
    logDir: string;
  };
  return {
    urls: given.urls,
    logDir: given.logDir,
    devSmsInbox: false,
    graphql() {
      throw new Error('an attached stack runs only the clients’ persisted operations');
    },
    async sms(phone) {
      const res = await fetch(`${given.smsInbox}?phone=${encodeURIComponent(phone)}`);
      return (await res.json()) as DevSms[];
    },
    stop: async () => {},
  };
}
