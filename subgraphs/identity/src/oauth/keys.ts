import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import type { Db } from 'mongodb';
import { claimOnce } from '@yuejuan/runtime';
import { signingKeyCreated } from '../metrics.ts';

/** A private signing key as JWK, with its id and algorithm. */
export type SigningJwk = JsonWebKey & { kid: string; alg: 'RS256'; use: 'sig' };

/**
 * The token-signing keys: OAUTH_JWKS when configured (production: keys stay out of the
 * database); otherwise one RSA key made on first start and kept in the identity database
 * (`oauth_keys`), inserted once under a fixed `_id` so instances starting together agree.
 */
export async function signingKeys(db: Db, configured: string | undefined): Promise<SigningJwk[]> {
  if (configured) {
    const { keys } = JSON.parse(configured) as { keys: JsonWebKey[] };
    return keys.map((k, i) => ({
      ...k,
      kid: typeof k.kid === 'string' ? k.kid : `key-${i}`,
      alg: 'RS256',
      use: 'sig',
    }));
  }
  const collection = db.collection<{ _id: string; jwk: string; createdAt: Date }>('oauth_keys');
  const existing = await collection.findOne({ _id: 'signing' });
  if (existing) return [observed(existing)];
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk: SigningJwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };
  await claimOnce(collection, 'signing', { jwk: JSON.stringify(jwk), createdAt: new Date() });
  return [observed((await collection.findOne({ _id: 'signing' }))!)];
}

/** The stored key, its creation time on /metrics (the KeyRotationDue alert reads it). */
function observed(stored: { jwk: string; createdAt: Date }): SigningJwk {
  const jwk = JSON.parse(stored.jwk) as SigningJwk;
  signingKeyCreated.set({ kid: jwk.kid }, stored.createdAt.getTime() / 1000);
  return jwk;
}
