import type { MongoClient } from 'mongodb';

/** What serves the connection: MongoDB, or FerretDB (which answers only `_id` from an index). */
export type DatabaseKind = 'mongodb' | 'ferretdb';

const kinds = new WeakMap<MongoClient, Promise<DatabaseKind>>();

/**
 * The kind of server behind a client, asked once (`buildInfo`: FerretDB adds `ferretdbVersion`).
 * A failed question is asked again next time rather than remembered.
 */
export function databaseKind(client: MongoClient): Promise<DatabaseKind> {
  let kind = kinds.get(client);
  if (!kind) {
    kind = client
      .db('admin')
      .command({ buildInfo: 1 })
      .then((info) => (typeof info['ferretdbVersion'] === 'string' ? 'ferretdb' : 'mongodb'));
    kind.catch(() => kinds.delete(client));
    kinds.set(client, kind);
  }
  return kind;
}

/**
 * Overrides the detected kind for a client: tests run the MongoDB strategy (field queries) on
 * FerretDB to compare both.
 */
export function setDatabaseKind(client: MongoClient, kind: DatabaseKind): void {
  kinds.set(client, Promise.resolve(kind));
}
