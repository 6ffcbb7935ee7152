// A deployment for the backup e2e test: the four subgraphs and the gateway as processes (as
// npm start runs them) on given database names and blob folder, so the same deployment can be
// started on a restored copy. No clients: the journey talks to the gateway's API.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, repoRoot } from '@yuejuan/database';
import { subgraphNames } from '@yuejuan/schema';
import { startProcess, subgraphNodeFlags, type RunningProcess } from '../src/index.ts';
import type { DatabaseRole } from '../src/backup/manifest.ts';

/** What must be the same on both sides of a restore: the secrets (YUEJUAN_ID_HASH_KEY hashes ID numbers). */
export const deploymentSecrets = () => ({
  internal: randomBytes(32).toString('hex'),
  idHash: randomBytes(32).toString('hex'),
});
export type DeploymentSecrets = ReturnType<typeof deploymentSecrets>;

export interface DeploymentSettings {
  mongoUri: string;
  databases: Record<DatabaseRole, string>;
  blobDir: string;
  secrets: DeploymentSecrets;
}

/** The settings as environment variables (what the services and the CLI read). */
export const deploymentEnv = (s: DeploymentSettings): Record<string, string> => ({
  MONGODB_URI: s.mongoUri,
  IDENTITY_DB: s.databases.identity,
  CASES_DB: s.databases.cases,
  READING_DB: s.databases.reading,
  NOTIFICATIONS_DB: s.databases.notifications,
  EVENTS_DB: s.databases.events,
  BLOB_STORE: 'fs',
  BLOB_DIR: s.blobDir,
});

export interface Deployment {
  /** The gateway's base URL (`/graphql`, `/uploads`, `/downloads`). */
  url: string;
  logDir: string;
  stop(): Promise<void>;
}

/** Starts the subgraphs, then the gateway; `stop()` ends them in reverse order. */
export async function startDeployment(
  label: string,
  s: DeploymentSettings,
  logDir: string,
): Promise<Deployment> {
  const root = repoRoot();
  const ports: Record<string, number> = { gateway: await freePort() };
  for (const name of subgraphNames) ports[name] = await freePort();
  const local = (name: string) => `http://127.0.0.1:${ports[name]}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...deploymentEnv(s),
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    APOLLO_TELEMETRY_DISABLED: 'true',
    YUEJUAN_INTERNAL_SECRET: s.secrets.internal,
    YUEJUAN_ID_HASH_KEY: s.secrets.idHash,
    IDENTITY_INTERNAL_URL: local('identity'),
    CASES_INTERNAL_URL: local('cases'),
    READING_INTERNAL_URL: local('reading'),
    NOTIFICATIONS_INTERNAL_URL: local('notifications'),
  };
  const dir = join(logDir, label);
  const running: RunningProcess[] = [];
  const stop = async () => {
    for (const p of running.splice(0).reverse()) await p.stop();
  };
  try {
    await Promise.all(
      subgraphNames.map(async (name) => {
        running.push(
          await startProcess(root, dir, {
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
    running.push(
      await startProcess(root, dir, {
        name: 'gateway',
        entry: 'gateway/src/index.ts',
        healthUrl: `${local('gateway')}/ready`,
        env: { ...env, ...urls, PORT: String(ports.gateway) },
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: local('gateway'), logDir: dir, stop };
}
