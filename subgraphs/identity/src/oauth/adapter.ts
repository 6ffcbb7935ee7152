import type { Collection, Db } from 'mongodb';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { claimOnce } from '@yuejuan/runtime';
import type { ApplicationDoc } from '../models/index.ts';

/**
 * One stored oidc-provider artefact. The payload is kept as JSON text: oidc-provider's payloads
 * have keys and nested arrays FerretDB cannot store as documents, and nothing queries inside
 * them; the fields looked up by (grant, interaction uid, account, client) sit beside it.
 */
export interface OAuthDoc {
  _id: string;
  payload: string;
  expiresAt?: Date;
  grantId?: string;
  uid?: string;
  userCode?: string;
  accountId?: string;
  clientId?: string;
  consumedAt?: Date;
}

/** The models whose one-time use is a decision (a code redeemed, a refresh token rotated). */
const oneTime = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode']);
/** The token models a grant's revocation reaches. */
const grantModels = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode'];

const collectionName = (model: string) =>
  `oauth_${model.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase()}`;

export interface OAuthStore {
  /** oidc-provider's adapter factory (`adapter` configuration). */
  adapterFor(model: string): Adapter;
  /** The stored artefacts of one model (the consent and grant services read grants here). */
  collection(model: string): Collection<OAuthDoc>;
  /**
   * Ends a grant and every token issued under it (a refresh-token family). `onGrantRevoked` is
   * told unless `quiet` (a caller that audits the revocation itself).
   */
  revokeGrant(grantId: string, quiet?: boolean): Promise<void>;
  /** Deletes expired artefacts (FerretDB has no TTL indexes). */
  sweep(at: Date): Promise<void>;
  /** The lookup indexes (used on MongoDB; FerretDB scans). */
  ensureIndexes(): Promise<void>;
}

/**
 * oidc-provider's storage on our MongoDB: one collection per model, documents by `_id`. Expiry
 * is read on every find (no TTL indexes on FerretDB) and swept. Consuming a one-time artefact
 * is an insert under a unique `_id` (claimOnce): FerretDB can let two conditional updates win,
 * so a code or refresh token presented twice at once still wins once; the loser revokes the
 * whole grant, as reuse of a used token does. Clients come from the applications collection.
 */
export function createOAuthStore(
  db: Db,
  options: {
    now: () => Date;
    /** oidc-provider's metadata of an application, or undefined when unknown or suspended. */
    clientMetadata: (app: ApplicationDoc) => AdapterPayload | undefined;
    findApplication: (id: string) => Promise<ApplicationDoc | null>;
    /** Told when a grant ends (its owner's audit). */
    onGrantRevoked?: (grant: OAuthDoc) => Promise<void>;
  },
): OAuthStore {
  const collections = new Map<string, Collection<OAuthDoc>>();
  const collection = (model: string) => {
    let c = collections.get(model);
    if (!c) collections.set(model, (c = db.collection<OAuthDoc>(collectionName(model))));
    return c;
  };
  const consumed = db.collection<{ _id: string; at: Date; expiresAt?: Date }>('oauth_consumed');

  const live = (doc: OAuthDoc | null): AdapterPayload | undefined => {
    if (!doc || (doc.expiresAt && doc.expiresAt <= options.now())) return undefined;
    const payload = JSON.parse(doc.payload) as AdapterPayload;
    return doc.consumedAt
      ? { ...payload, consumed: Math.floor(doc.consumedAt.getTime() / 1000) }
      : payload;
  };

  async function revokeGrant(grantId: string, quiet = false): Promise<void> {
    await Promise.all(grantModels.map((m) => collection(m).deleteMany({ grantId })));
    const grant = await collection('Grant').findOneAndDelete({ _id: grantId });
    if (grant && !quiet && options.onGrantRevoked) await options.onGrantRevoked(grant);
  }

  function adapterFor(model: string): Adapter {
    if (model === 'Client')
      return {
        async find(id) {
          const app = await options.findApplication(id);
          return app ? options.clientMetadata(app) : undefined;
        },
        upsert: async () => {
          throw new Error('applications are registered in the console');
        },
        findByUid: async () => undefined,
        findByUserCode: async () => undefined,
        consume: async () => undefined,
        destroy: async () => undefined,
        revokeByGrantId: async () => undefined,
      };
    const store = collection(model);
    return {
      async upsert(id, payload, expiresIn) {
        const doc: OAuthDoc = {
          _id: id,
          payload: JSON.stringify(payload),
          ...(expiresIn ? { expiresAt: new Date(options.now().getTime() + expiresIn * 1000) } : {}),
          ...(payload.grantId ? { grantId: payload.grantId } : {}),
          ...(payload.uid ? { uid: payload.uid } : {}),
          ...(payload.userCode ? { userCode: payload.userCode } : {}),
          ...(payload.accountId ? { accountId: payload.accountId } : {}),
          ...(payload.clientId ? { clientId: payload.clientId } : {}),
        };
        await store.replaceOne({ _id: id }, doc, { upsert: true });
      },
      find: async (id) => live(await store.findOne({ _id: id })),
      findByUid: async (uid) => live(await store.findOne({ uid })),
      findByUserCode: async (userCode) => live(await store.findOne({ userCode })),
      async consume(id) {
        const at = options.now();
        const doc = await store.findOne({ _id: id });
        const first = await claimOnce(consumed, `${model}:${id}`, {
          at,
          ...(doc?.expiresAt ? { expiresAt: doc.expiresAt } : {}),
        });
        if (!first && oneTime.has(model)) {
          // Presented twice at once: the other request won. Treat as reuse: end the family.
          if (doc?.grantId) await revokeGrant(doc.grantId);
          throw new errors.InvalidGrant(`${model} already used`);
        }
        await store.updateOne({ _id: id }, { $set: { consumedAt: at } });
      },
      async destroy(id) {
        if (model === 'Grant') await revokeGrant(id);
        else await store.deleteOne({ _id: id });
      },
      async revokeByGrantId(grantId) {
        await store.deleteMany({ grantId });
      },
    };
  }

  return {
    adapterFor,
    collection,
    revokeGrant,
    async sweep(at) {
      const old = { expiresAt: { $lt: at } };
      const models = [
        'Session',
        'AccessToken',
        'AuthorizationCode',
        'RefreshToken',
        'ClientCredentials',
        'Interaction',
        'ReplayDetection',
        'PushedAuthorizationRequest',
        'Grant',
      ];
      await Promise.all([
        ...models.map((m) => collection(m).deleteMany(old)),
        consumed.deleteMany(old),
      ]);
    },
    async ensureIndexes() {
      await collection('Grant').createIndex({ accountId: 1 });
      await collection('Session').createIndex({ uid: 1 });
      for (const m of grantModels) await collection(m).createIndex({ grantId: 1 });
    },
  };
}
