// Device signatures of the verifier, exactly as identity checks them (schema/identity.graphql,
// SignedTicketActionInput): ECDSA P-256 with SHA-256 over the UTF-8 string
// `${action}|${qrPayload}|${signedAt}`, the signature as WebCrypto makes it (IEEE P1363 r||s,
// 64 bytes) in base64url without padding.

/** What a signature authorises: login ticket scan/confirm/reject, or a step-up confirmation. */
export type SignedAction = 'scan' | 'confirm' | 'reject' | 'step-up';

/** The signed action as the identity mutations take it. */
export interface SignedTicketActionInput {
  qrPayload: string;
  deviceId: string;
  signedAt: string;
  signature: string;
}

const algorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signature = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The exact string a device signs. */
export const canonicalString = (
  action: SignedAction,
  qrPayload: string,
  signedAt: string,
): string => `${action}|${qrPayload}|${signedAt}`;

/** base64url without padding, as identity expects it. */
export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  for (const b of view) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A new device key pair. The private key is NOT extractable: script on the page can use it to
 * sign but never read it, and it lives only in this browser's IndexedDB (see device-store).
 */
export function generateDeviceKey(subtle: SubtleCrypto = crypto.subtle): Promise<CryptoKeyPair> {
  return subtle.generateKey(algorithm, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** The public key as the JWK JSON that completeActivation registers (kty, crv, x, y only). */
export async function publicKeyJwk(
  key: CryptoKey,
  subtle: SubtleCrypto = crypto.subtle,
): Promise<string> {
  const jwk = await subtle.exportKey('jwk', key);
  return JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
}

/**
 * Signs one action on a scanned payload now. `signedAt` is the device clock in ISO 8601 UTC
 * (the server accepts it within SIGNATURE_WINDOW_SECONDS of its own clock, once).
 */
export async function signAction(
  device: { deviceId: string; privateKey: CryptoKey },
  action: SignedAction,
  qrPayload: string,
  now: Date = new Date(),
  subtle: SubtleCrypto = crypto.subtle,
): Promise<SignedTicketActionInput> {
  const signedAt = now.toISOString();
  const bytes = new TextEncoder().encode(canonicalString(action, qrPayload, signedAt));
  const sig = await subtle.sign(signature, device.privateKey, bytes);
  return { qrPayload, deviceId: device.deviceId, signedAt, signature: base64url(sig) };
}
