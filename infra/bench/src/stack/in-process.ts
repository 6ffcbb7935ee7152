import type { Connection } from 'mongoose';
import {
  connectMongo,
  createEventBus,
  createLogger,
  ensureIndexes,
  type EventBus,
} from '@yuejuan/runtime';
import type { SubgraphName } from '@yuejuan/schema';
import { createServer as createIdentity } from '@yuejuan/identity';
import { loadIdentityConfig } from '@yuejuan/identity/config';
import { createServer as createCases } from '@yuejuan/cases';
import { loadCasesConfig } from '@yuejuan/cases/config';
import { createServer as createReading } from '@yuejuan/reading';
import { loadReadingConfig } from '@yuejuan/reading/config';
import { createServer as createNotifications } from '@yuejuan/notifications';
import { loadNotificationsConfig } from '@yuejuan/notifications/config';
import { freePort } from '../lib/processes.ts';
import type { DatabaseNames } from './seed.ts';

export interface InProcessSubgraphs {
  urls: Record<SubgraphName, string>;
  /** Each subgraph's own connection, with driver command monitoring on. */
  connections: Record<SubgraphName, Connection>;
  stop(): Promise<void>;
}

/**
 * The four subgraphs in this process, each on its own connection with command monitoring
 * (as gateway/test/stack.ts does), so every database command can be attributed to one request.
 */
export async function startInProcessSubgraphs(o: {
  mongoUri: string;
  db: DatabaseNames;
  secrets: { internal: string; idHash: string };
}): Promise<InProcessSubgraphs> {
  const ports = {
    identity: await freePort(),
    cases: await freePort(),
    reading: await freePort(),
    notifications: await freePort(),
  };
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'silent',
    MONGODB_URI: o.mongoUri,
    YUEJUAN_INTERNAL_SECRET: o.secrets.internal,
    YUEJUAN_ID_HASH_KEY: o.secrets.idHash,
    IDENTITY_DB: o.db.identity,
    CASES_DB: o.db.cases,
    READING_DB: o.db.reading,
    NOTIFICATIONS_DB: o.db.notifications,
    EVENTS_DB: o.db.events,
    IDENTITY_INTERNAL_URL: `http://127.0.0.1:${ports.identity}`,
    NOTIFICATIONS_INTERNAL_URL: `http://127.0.0.1:${ports.notifications}`,
  };
  const logger = createLogger('bench', 'silent');
  const connections = {} as Record<SubgraphName, Connection>;
  const buses: EventBus[] = [];
  const open = async (name: SubgraphName, dbName: string) => {
    const c = await connectMongo(o.mongoUri, dbName, { monitorCommands: true });
    connections[name] = c;
    const bus = createEventBus({ client: c.getClient(), dbName: o.db.events, logger });
    buses.push(bus);
    return { connection: c, bus, logger };
  };
  const servers = [
    createIdentity({
      config: loadIdentityConfig({ ...env, PORT: String(ports.identity) }),
      ...(await open('identity', o.db.identity)),
    }),
    createCases({
      config: loadCasesConfig({ ...env, PORT: String(ports.cases) }),
      ...(await open('cases', o.db.cases)),
    }),
    createReading({
      config: loadReadingConfig({ ...env, PORT: String(ports.reading) }),
      ...(await open('reading', o.db.reading)),
    }),
    createNotifications({
      config: loadNotificationsConfig({ ...env, PORT: String(ports.notifications) }),
      ...(await open('notifications', o.db.notifications)),
    }),
  ];
  for (const c of Object.values(connections)) await ensureIndexes(c);
  const [identity, cases, reading, notifications] = await Promise.all(
    servers.map((s) => s.start()),
  );
  return {
    urls: { identity: identity!, cases: cases!, reading: reading!, notifications: notifications! },
    connections,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all(Object.values(connections).map((c) => c.close()));
    },
  };
}

export interface CommandRecord {
  database: SubgraphName;
  command: string;
  collection?: string;
  filterKeys?: string[];
  /** The filter is exactly `{_id: <one value>}`: the only lookup FerretDB's SQLite backend does by index (`$in` is a scan there). */
  idEquality: boolean;
}

const isOperatorObject = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  !(v instanceof Date) &&
  Object.keys(v).some((k) => k.startsWith('$'));

/** Records the commands all four connections send while `fn` runs. */
export async function recordCommands<T>(
  connections: Record<SubgraphName, Connection>,
  fn: () => Promise<T>,
): Promise<{ result: T; commands: CommandRecord[] }> {
  const commands: CommandRecord[] = [];
  const offs = (Object.entries(connections) as [SubgraphName, Connection][]).map(([name, conn]) => {
    const listener = (e: {
      commandName: string;
      databaseName: string;
      command: Record<string, unknown>;
    }) => {
      if (e.databaseName !== conn.name) return;
      const collection =
        typeof e.command[e.commandName] === 'string'
          ? (e.command[e.commandName] as string)
          : undefined;
      const filter = (e.command.filter ??
        e.command.query ??
        (Array.isArray(e.command.pipeline)
          ? (e.command.pipeline[0] as { $match?: object } | undefined)?.$match
          : undefined)) as object | undefined;
      commands.push({
        database: name,
        command: e.commandName,
        collection,
        filterKeys: filter ? Object.keys(filter) : undefined,
        idEquality:
          Boolean(filter) &&
          Object.keys(filter!).length === 1 &&
          '_id' in filter! &&
          !isOperatorObject(filter!._id),
      });
    };
    conn.getClient().on('commandStarted', listener);
    return () => conn.getClient().off('commandStarted', listener);
  });
  try {
    return { result: await fn(), commands };
  } finally {
    offs.forEach((off) => off());
  }
}
