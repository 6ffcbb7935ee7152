import { createHash, randomBytes } from 'node:crypto';
import { newId, type Identity } from '@yuejuan/runtime';
import type { IdentityModels, SessionDoc } from '../models/index.ts';

export type SessionRole = 'LAWYER' | 'PROSECUTOR' | 'ADMINISTRATOR';
export type LoginMethod = 'SCAN' | 'SMS_CODE' | 'PASSWORD' | 'PROSECUTOR';

export interface SessionSettings {
  /** Session lifetime without renewal. */
  ttlSeconds: number;
  /** How long a scan login counts as identity-verified. */
  verifiedWindowSeconds: number;
}

export interface NewSession {
  role: SessionRole;
  subjectId: string;
  procuratorateId?: string;
  method: LoginMethod;
}

/** SHA-256 of a bearer token: the only form in which a token is stored or looked up. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Sessions: opened by the login flows, resolved by the gateway on every request, revocable at once. */
export function createSessionService(models: IdentityModels, settings: SessionSettings) {
  return {
    /** Opens a session; the token is returned here once and never stored. */
    async open(input: NewSession, now = new Date()): Promise<{ token: string; session: SessionDoc }> {
      const token = randomBytes(32).toString('base64url');
      const doc = await models.Session.create({
        _id: tokenDigest(token),
        sessionId: newId(),
        role: input.role,
        subjectId: input.subjectId,
        procuratorateId: input.procuratorateId,
        method: input.method,
        verifiedUntil: input.method === 'SCAN' ? new Date(now.getTime() + settings.verifiedWindowSeconds * 1000) : undefined,
        expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000),
      });
      return { token, session: doc.toObject() as SessionDoc };
    },

    /** The identity behind a bearer token, or null when unknown, expired or revoked. */
    async resolve(token: string, now = new Date()): Promise<Identity | null> {
      if (!token || token.length > 200) return null;
      const s = await models.Session.findById(tokenDigest(token)).lean<SessionDoc>().exec();
      if (!s || s.revokedAt || s.expiresAt <= now) return null;
      switch (s.role) {
        case 'LAWYER':
          return { role: 'LAWYER', sessionId: s.sessionId, lawyerId: s.subjectId, verified: !!s.verifiedUntil && s.verifiedUntil > now };
        case 'PROSECUTOR':
          return { role: 'PROSECUTOR', sessionId: s.sessionId, prosecutorId: s.subjectId, procuratorateId: s.procuratorateId ?? '' };
        default:
          return { role: 'ADMINISTRATOR', sessionId: s.sessionId, administratorId: s.subjectId };
      }
    },

    /** The session record of a session id (for Viewer.session). */
    async byId(sessionId: string): Promise<SessionDoc | null> {
      return models.Session.findOne({ sessionId }).lean<SessionDoc>().exec();
    },

    /** Ends a session at once: the next request with its token is anonymous. */
    async revoke(sessionId: string, now = new Date()): Promise<void> {
      await models.Session.updateOne({ sessionId }, { $set: { revokedAt: now } }).exec();
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
