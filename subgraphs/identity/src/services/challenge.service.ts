import { randomBytes } from 'node:crypto';
import {
  claimOnce,
  requireRole,
  type DomainEvent,
  type EventBus,
  type Identity,
  type StepUpPurpose,
} from '@yuejuan/runtime';
import type { ChallengeDoc, IdentityCollections, IdentityModels } from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import { browserSummary, type ClientInfo } from './client.ts';
import type { DeviceService, SignedInput } from './device.service.ts';
import { refuse } from './errors.ts';
import { createExpiryTimers } from './expiry-timers.ts';
import type { IdentityPolicy } from './policy.ts';
import { parseQrPayload, qrPayload } from './qr.ts';
import type { SessionService } from './session.service.ts';
import { limitRate } from './slots.ts';

export const challengeChangedTopic = 'identity.challenge.changed';
export type ChallengeStatus = 'PENDING' | 'CONFIRMED' | 'EXPIRED';

/** The operation a step-up unlocks, as the verifier shows it. */
export const purposeLabels: Record<StepUpPurpose, string> = {
  BIND_CASE: '案件绑定申请',
  APPOINTMENT: '辩护与代理网上预约',
  READING_APPLICATION: '申请在线阅卷',
  DOWNLOAD: '卷宗下载',
  READ_ONLINE: '在线阅卷',
  MANAGE_DEVICES: '核验设备管理',
  PASSWORD: '设置登录密码',
  AUTHORIZE_APP: '授权第三方应用',
};

/** A challenge as the API shows it. */
export interface ChallengeView {
  id: string;
  purpose: StepUpPurpose;
  status: ChallengeStatus;
  qrPayload: string;
  expiresAt: string;
}

interface Deps {
  models: IdentityModels;
  collections: IdentityCollections;
  policy: IdentityPolicy;
  devices: DeviceService;
  sessions: SessionService;
  audit: AuditService;
  bus: () => EventBus;
  now: () => Date;
}

/**
 * Step-up verification (身份核验): a session asks for a challenge of one purpose, the lawyer's
 * own verifier confirms it with a signature (claimed once), and for `stepUpFreshSeconds` the
 * session's resolved identity carries it, so the acting subgraph can consume it once.
 */
export function createChallengeService(d: Deps) {
  const timers = createExpiryTimers(d.now);
  const confirmKey = (id: string) => `challenge:${id}:confirm`;
  const fresh = d.policy.stepUpFreshSeconds * 1000;

  async function statusOf(c: ChallengeDoc, now: Date): Promise<ChallengeStatus> {
    const confirmed = await d.collections.claims.findOne({ _id: confirmKey(c._id) });
    if (confirmed) return now.getTime() - confirmed.at.getTime() <= fresh ? 'CONFIRMED' : 'EXPIRED';
    return c.expiresAt <= now ? 'EXPIRED' : 'PENDING';
  }
  const view = (c: ChallengeDoc, status: ChallengeStatus): ChallengeView => ({
    id: c._id,
    purpose: c.purpose as StepUpPurpose,
    status,
    qrPayload: qrPayload('STEP_UP', c._id, c.nonce),
    expiresAt: c.expiresAt.toISOString(),
  });
  const publish = (c: ChallengeDoc, status: ChallengeStatus) =>
    d.bus().publish(challengeChangedTopic, {
      challengeId: c._id,
      sessionId: c.sessionId,
      purpose: c.purpose,
      status,
    });
  const load = async (id: string) =>
    typeof id === 'string' && id.length <= 64
      ? d.models.Challenge.findById(id).lean<ChallengeDoc>().exec()
      : null;

  /** The caller's own challenge; anyone else's is indistinguishable from a missing one. */
  async function own(identity: Identity, id: string): Promise<ChallengeDoc> {
    const lawyer = requireRole(identity, 'LAWYER');
    const c = await load(id);
    if (!c || c.sessionId !== lawyer.sessionId) throw refuse.challengeInvalid();
    return c;
  }

  async function scanned(payload: string): Promise<ChallengeDoc> {
    const parsed = parseQrPayload(payload);
    const c = parsed?.kind === 'STEP_UP' ? await load(parsed.id) : null;
    if (!c || c.nonce !== parsed!.nonce) throw refuse.challengeInvalid();
    return c;
  }

  const watchExpiry = (c: ChallengeDoc) =>
    timers.watch(c._id, c.expiresAt, async () => {
      if ((await statusOf(c, d.now())) !== 'EXPIRED') return;
      if (
        await claimOnce(d.collections.claims, `challenge:${c._id}:expired`, {
          at: d.now(),
          expiresAt: new Date(c.expiresAt.getTime() + 86_400_000),
        })
      )
        await publish(c, 'EXPIRED');
    });

  return {
    /** A new challenge of `purpose` for the caller's session, shown as a QR. */
    async create(
      identity: Identity,
      purpose: StepUpPurpose,
      client: ClientInfo,
    ): Promise<ChallengeView> {
      const lawyer = requireRole(identity, 'LAWYER');
      const now = d.now();
      await limitRate(
        d.collections.slots,
        'CHALLENGE',
        client.ip,
        d.policy.rate.challengesPerIp,
        d.policy.rate.windowSeconds,
        now,
      );
      const doc = await d.models.Challenge.create({
        _id: randomBytes(18).toString('base64url'),
        nonce: randomBytes(12).toString('base64url'),
        sessionId: lawyer.sessionId,
        lawyerId: lawyer.lawyerId,
        purpose,
        ip: client.ip,
        userAgent: client.userAgent,
        expiresAt: new Date(now.getTime() + d.policy.challengeTtlSeconds * 1000),
      });
      const c = doc.toObject() as ChallengeDoc;
      watchExpiry(c); // creation is not published: nobody can be subscribed to it yet
      return view(c, 'PENDING');
    },

    /** The caller's challenge. */
    async read(identity: Identity, id: string): Promise<ChallengeView> {
      const c = await own(identity, id);
      return view(c, await statusOf(c, d.now()));
    },

    /** What the verifier is about to confirm. */
    async context(payload: string) {
      const c = await scanned(payload);
      return {
        kind: 'STEP_UP' as const,
        site: d.policy.siteName,
        purpose: `${purposeLabels[c.purpose as StepUpPurpose]}身份核验`,
        browser: browserSummary(c.userAgent ?? ''),
        ip: c.ip,
        requestedAt: c.createdAt.toISOString(),
        expiresAt: c.expiresAt.toISOString(),
      };
    },

    /** The lawyer's own verifier confirms (signed): PENDING → CONFIRMED, once. */
    async confirm(input: SignedInput, client: ClientInfo): Promise<ChallengeView> {
      const now = d.now();
      const c = await scanned(input.qrPayload);
      const status = await statusOf(c, now);
      if (status === 'EXPIRED') throw refuse.challengeExpired();
      if (status === 'CONFIRMED') throw refuse.challengeUsed();
      const device = await d.devices.verifySigned('step-up', input, now);
      if (device.lawyerId !== c.lawyerId) throw refuse.challengeOtherLawyer();
      if (
        !(await claimOnce(d.collections.claims, confirmKey(c._id), {
          at: now,
          expiresAt: new Date(c.expiresAt.getTime() + fresh + 86_400_000),
          deviceId: device._id,
        }))
      )
        throw refuse.challengeUsed();
      await d.sessions.addStepUp(c.sessionId, {
        id: c._id,
        purpose: c.purpose,
        confirmedAt: now,
        deviceId: device._id,
      });
      await d.audit.record({
        kind: 'STEP_UP',
        actorId: c.lawyerId,
        actorRole: 'LAWYER',
        ip: client.ip,
        detail: `${c.purpose} confirmed by device ${device._id}`,
      });
      await publish(c, 'CONFIRMED');
      return view(c, 'CONFIRMED');
    },

    /** Changes of the caller's own challenge. */
    async listen(identity: Identity, id: string): Promise<AsyncIterableIterator<DomainEvent>> {
      const c = await own(identity, id);
      const events = d.bus().listen([challengeChangedTopic], (e) => e.payload.challengeId === id);
      watchExpiry(c);
      return events;
    },

    /** A challenge named by an event, with the event's status. */
    async atEvent(event: DomainEvent): Promise<ChallengeView> {
      const c = await load(String(event.payload.challengeId));
      if (!c) throw refuse.challengeInvalid();
      return view(c, event.payload.status as ChallengeStatus);
    },

    dispose: () => timers.dispose(),
  };
}
export type ChallengeService = ReturnType<typeof createChallengeService>;
