import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { connectMongo, ensureIndexes } from '@yuejuan/runtime';
import { createIdentityServices, type IdentityServices } from '@yuejuan/identity/services';
import { createCasesServices, type CasesServices } from '@yuejuan/cases/services';

/** Services over an open connection; `connection.close()` when done. */
export interface Opened<S> {
  connection: Connection;
  services: S;
}

async function open<S>(
  mongoUri: string,
  dbName: string,
  create: (c: Connection) => S,
): Promise<Opened<S>> {
  const connection = await connectMongo(mongoUri, dbName);
  try {
    const services = create(connection);
    // The unique indexes are what make a re-run (or two runs at once) update instead of duplicate.
    await ensureIndexes(connection);
    return { connection, services };
  } catch (err) {
    await connection.close();
    throw err;
  }
}

/**
 * The identity services on their database. Without `idHashKey` (a prosecutor import) a
 * throw-away key stands in: only lawyer rows hash ID numbers, and the CLI asks for the real
 * key whenever it imports lawyers.
 */
export function openIdentity(
  mongoUri: string,
  dbName: string,
  idHashKey?: string,
): Promise<Opened<IdentityServices>> {
  const key = idHashKey ?? randomBytes(32).toString('hex');
  // Session settings are required by the factory but unused: an import never opens a session.
  return open(mongoUri, dbName, (c) =>
    createIdentityServices(c, { idHashKey: key, ttlSeconds: 7200, verifiedWindowSeconds: 1800 }),
  );
}

/** The cases services on their database. */
export function openCases(mongoUri: string, dbName: string): Promise<Opened<CasesServices>> {
  return open(mongoUri, dbName, createCasesServices);
}
