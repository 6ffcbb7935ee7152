import { createHash, randomBytes } from 'node:crypto';
import {
  claimOnce,
  databaseKind,
  isDuplicateKey,
  newId,
  type Identity,
  type StepUpGrant,
  type StepUpPurpose,
} from '@yuejuan/runtime';
import {
  identityOwned,
  type IdentityCollections,
  type IdentityModels,
  type SessionDoc,
} from '../models/index.ts';
import { refuse } from './errors.ts';

export type SessionRole = 'LAWYER' | 'PROSECUTOR' | 'ADMINISTRATOR';
export type LoginMethod = 'SCAN' | 'SMS_CODE' | 'PASSWORD' | 'PROSECUTOR' | 'ADMINISTRATOR';

export interface SessionSettings {
  /** Session lifetime without renewal. */
  ttlSeconds: number;
  /** How long a scan login counts as identity-verified. */
  verifiedWindowSeconds: number;
  /** Renewal stops this long after the first login (default 12 h). */
  maxLifetimeSeconds?: number;
  /** How long a confirmed step-up stays usable (default 5 min). */
  stepUpFreshSeconds?: number;
}

export interface NewSession {
  role: SessionRole;
  subjectId: string;
  procuratorateId?: string;
  method: LoginMethod;
  /** The verifier device that confirmed a scan login. */
  deviceId?: string;
}

/** A confirmed step-up as kept on its session. */
interface StoredGrant {
  id: string;
  purpose: string;
  confirmedAt: Date;
  deviceId: string;
}

/** SHA-256 of a bearer token: the only form in which a token is stored or looked up. */
export const tokenDigest = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/** The GraphQL `Session` of a stored session. */
export function sessionView(s: SessionDoc, now: Date) {
  return {
    id: s.sessionId,
    role: s.role,
    method: s.method,
    identityVerified: s.role === 'LAWYER' && !!s.verifiedUntil && s.verifiedUntil > now,
    createdAt: s.createdAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  };
}

/** Sessions: opened by the login flows, resolved by the gateway on every request, revocable at once. */
/** Topic of `{ sessionIds }` whenever sessions end before their time (logout, renewal, revocation). */
export const sessionsEndedTopic = 'identity.sessions.ended';

/**
 * @param ended told the ids of sessions that just ended (the gateway closes their sockets at
 *   once); absent where nobody listens (the import CLI).
 */
export function createSessionService(
  models: IdentityModels,
  collections: IdentityCollections,
  settings: SessionSettings,
  ended: (sessionIds: string[]) => Promise<void> = async () => undefined,
) {
  const maxLifetimeMs = (settings.maxLifetimeSeconds ?? 43200) * 1000;
  const owned = identityOwned(models);
  type Stored = SessionDoc & { _id: string };
  /** Revokes the live sessions of `subjectId` that `which` picks and tells who listens which ones ended. */
  async function endMany(subjectId: string, which: (s: Stored) => boolean, now: Date) {
    const all = await owned.sessionsBySubject.find(subjectId);
    // Sessions already over leave the subject's index, so it holds about the live ones.
    const over = all.filter((s) => s.revokedAt || s.expiresAt <= now).map((s) => s._id);
    if (over.length) await owned.sessionsBySubject.left(subjectId, over);
    const ending = all.filter((s) => !s.revokedAt && s.expiresAt > now && which(s));
    if (ending.length === 0) return;
    await models.Session.updateMany(
      { _id: { $in: ending.map((s) => s._id) } },
      { $set: { revokedAt: now } },
    ).exec();
    await ended(ending.map((s) => s.sessionId));
  }
  /**
   * Where a session is, by its id: on MongoDB the indexed `sessionId`; on FerretDB, which reads
   * only `_id` from an index, its `_id` (the token digest) from `session_refs`. A session from
   * before the refs existed is found once by its id and its ref written then.
   */
  async function whereSession(sessionId: string): Promise<Record<string, string> | null> {
    if ((await databaseKind(models.Session.db.getClient())) !== 'ferretdb') return { sessionId };
    const ref = await collections.sessionRefs.findOne({ _id: sessionId });
    if (ref) return { _id: ref.digest };
    const old = await models.Session.findOne({ sessionId }).select('_id').lean<Stored>().exec();
    if (!old) return null;
    await collections.sessionRefs
      .insertOne({ _id: sessionId, digest: old._id })
      .catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    return { _id: old._id };
  }
  const freshMs = (settings.stepUpFreshSeconds ?? 300) * 1000;

  async function create(
    input: NewSession & { verifiedUntil?: Date; startedAt: Date; stepUps?: StoredGrant[] },
    now: Date,
  ) {
    const token = randomBytes(32).toString('base64url');
    const [digest, sessionId] = [tokenDigest(token), newId()];
    if ((await databaseKind(models.Session.db.getClient())) === 'ferretdb')
      await collections.sessionRefs.insertOne({ _id: sessionId, digest });
    await owned.sessionsBySubject.added(input.subjectId, digest);
    const doc = await models.Session.create({
      _id: digest,
      sessionId,
      role: input.role,
      subjectId: input.subjectId,
      procuratorateId: input.procuratorateId,
      method: input.method,
      deviceId: input.deviceId,
      verifiedUntil: input.verifiedUntil,
      startedAt: input.startedAt,
      stepUps: input.stepUps?.length ? input.stepUps : undefined,
      expiresAt: new Date(now.getTime() + settings.ttlSeconds * 1000),
    });
    return { token, session: doc.toObject() as SessionDoc };
  }

  /** The fresh step-ups a session confirmed, for the gateway to pass on. */
  const fresh = (s: SessionDoc, now: Date) =>
    ((s.stepUps ?? []) as unknown as StoredGrant[]).filter(
      (g) => now.getTime() - g.confirmedAt.getTime() <= freshMs,
    );
  const grants = (s: SessionDoc, now: Date): StepUpGrant[] =>
    fresh(s, now).map((g) => ({
      id: g.id,
      purpose: g.purpose as StepUpPurpose,
      confirmedAt: g.confirmedAt.toISOString(),
    }));

  return {
    /** Opens a session; the token is returned here once and never stored. */
    open(input: NewSession, now = new Date()): Promise<{ token: string; session: SessionDoc }> {
      const verifiedUntil =
        input.method === 'SCAN'
          ? new Date(now.getTime() + settings.verifiedWindowSeconds * 1000)
          : undefined;
      return create({ ...input, verifiedUntil, startedAt: now }, now);
    },

    /** The identity behind a bearer token, or null when unknown, expired or revoked. */
    async resolve(token: string, now = new Date()): Promise<Identity | null> {
      if (!token || token.length > 200) return null;
      const s = await models.Session.findById(tokenDigest(token)).lean<SessionDoc>().exec();
      if (!s || s.revokedAt || s.expiresAt <= now) return null;
      switch (s.role) {
        case 'LAWYER': {
          const identity: Identity = {
            role: 'LAWYER',
            sessionId: s.sessionId,
            lawyerId: s.subjectId,
            verified: !!s.verifiedUntil && s.verifiedUntil > now,
          };
          const stepUps = grants(s, now);
          return stepUps.length ? { ...identity, stepUps } : identity;
        }
        case 'PROSECUTOR':
          return {
            role: 'PROSECUTOR',
            sessionId: s.sessionId,
            prosecutorId: s.subjectId,
            procuratorateId: s.procuratorateId ?? '',
          };
        default:
          return { role: 'ADMINISTRATOR', sessionId: s.sessionId, administratorId: s.subjectId };
      }
    },

    /** The session record of a session id (for Viewer.session). */
    async byId(sessionId: string): Promise<SessionDoc | null> {
      const where = await whereSession(sessionId);
      return where ? models.Session.findOne(where).lean<SessionDoc>().exec() : null;
    },

    /**
     * A new token for a live session, once: the old token ends, the verified window and the
     * device carry over unchanged, and renewal stops `maxLifetimeSeconds` after the first login.
     */
    async renew(sessionId: string, now: Date): Promise<{ token: string; session: SessionDoc }> {
      const s = await this.byId(sessionId);
      if (!s || s.revokedAt || s.expiresAt <= now) throw refuse.sessionRenewed();
      const startedAt = s.startedAt ?? s.createdAt;
      if (now.getTime() - startedAt.getTime() >= maxLifetimeMs) throw refuse.sessionTooOld();
      const day = 86_400_000;
      if (
        !(await claimOnce(collections.claims, `renew:${sessionId}`, {
          at: now,
          expiresAt: new Date(s.expiresAt.getTime() + day),
        }))
      )
        throw refuse.sessionRenewed();
      const renewed = await create(
        {
          role: s.role as SessionRole,
          subjectId: s.subjectId,
          procuratorateId: s.procuratorateId ?? undefined,
          method: s.method as LoginMethod,
          deviceId: s.deviceId ?? undefined,
          verifiedUntil: s.verifiedUntil ?? undefined,
          startedAt,
          stepUps: fresh(s, now),
        },
        now,
      );
      await this.revoke(sessionId, now);
      return renewed;
    },

    /** Ends a session at once: the next request with its token is anonymous. */
    async revoke(sessionId: string, now = new Date()): Promise<void> {
      const where = await whereSession(sessionId);
      if (where) await models.Session.updateOne(where, { $set: { revokedAt: now } }).exec();
      await ended([sessionId]);
    },

    /** Ends every other session of an account (a password was set or changed). */
    async revokeOthers(subjectId: string, keepSessionId: string, now: Date): Promise<void> {
      await endMany(subjectId, (s) => s.sessionId !== keepSessionId, now);
    },

    /** Ends the sessions a device confirmed, and drops the step-ups it confirmed. */
    async revokeByDevice(deviceId: string, now: Date): Promise<void> {
      const device = await models.Device.findById(deviceId).lean<{ lawyerId: string }>().exec();
      if (!device) return;
      await endMany(device.lawyerId, (s) => s.deviceId === deviceId, now);
      // Rewritten per session: FerretDB 1.24 ignores $pull with a condition on array subdocuments.
      const holders = (await owned.sessionsBySubject.find(device.lawyerId)).filter((s) =>
        ((s.stepUps ?? []) as unknown as StoredGrant[]).some((g) => g.deviceId === deviceId),
      );
      for (const holder of holders) {
        const kept = ((holder.stepUps ?? []) as unknown as StoredGrant[]).filter(
          (g) => g.deviceId !== deviceId,
        );
        await models.Session.updateOne({ _id: holder._id }, { $set: { stepUps: kept } }).exec();
      }
    },

    /** Records a confirmed step-up for its session (read back by `resolve`). */
    async addStepUp(sessionId: string, grant: StoredGrant): Promise<void> {
      const where = await whereSession(sessionId);
      if (where) await models.Session.updateOne(where, { $push: { stepUps: grant } }).exec();
    },
  };
}
export type SessionService = ReturnType<typeof createSessionService>;
