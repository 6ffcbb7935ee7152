import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { claimOnce, type DomainEvent, type EventBus } from '@yuejuan/runtime';
import type {
  DeviceDoc,
  IdentityCollections,
  IdentityModels,
  LoginTicketDoc,
  SessionDoc,
} from '../models/index.ts';
import type { AuditService } from './audit.service.ts';
import { browserSummary, type ClientInfo } from './client.ts';
import type { DeviceService, SignedInput } from './device.service.ts';
import { refuse } from './errors.ts';
import { createExpiryTimers } from './expiry-timers.ts';
import type { IdentityPolicy } from './policy.ts';
import { parseQrPayload, qrPayload } from './qr.ts';
import type { SessionService } from './session.service.ts';
import { limitRate } from './slots.ts';

export const ticketChangedTopic = 'identity.loginTicket.changed';
export type TicketStatus =
  'PENDING' | 'SCANNED' | 'CONFIRMED' | 'REJECTED' | 'EXPIRED' | 'REDEEMED';

/** A login ticket as the API shows it (no secret). */
export interface TicketView {
  id: string;
  status: TicketStatus;
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

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const step = (id: string, name: 'scan' | 'decision' | 'redeem' | 'expired') =>
  `ticket:${id}:${name}`;

/**
 * 律师认证登录: PENDING → SCANNED → CONFIRMED | REJECTED | EXPIRED, then REDEEMED. Each step is
 * a document claimed once under `ticket:<id>:<step>`; the status is derived from them and the
 * clock. Only the browser holding the ticket secret (never in the QR) can read or redeem it.
 */
export function createTicketService(d: Deps) {
  const timers = createExpiryTimers(d.now);
  const keep = (ticket: LoginTicketDoc) => new Date(ticket.expiresAt.getTime() + 86_400_000);

  async function steps(id: string) {
    const [scan, decision, redeem] = await Promise.all(
      (['scan', 'decision', 'redeem'] as const).map((s) =>
        d.collections.claims.findOne({ _id: step(id, s) }),
      ),
    );
    return { scan, decision, redeem };
  }

  function statusOf(
    ticket: LoginTicketDoc,
    s: Awaited<ReturnType<typeof steps>>,
    now: Date,
  ): TicketStatus {
    if (s.redeem) return 'REDEEMED';
    if (s.decision?.decision === 'REJECTED') return 'REJECTED';
    if (ticket.expiresAt <= now) return 'EXPIRED';
    if (s.decision) return 'CONFIRMED';
    return s.scan ? 'SCANNED' : 'PENDING';
  }

  const view = (ticket: LoginTicketDoc, status: TicketStatus): TicketView => ({
    id: ticket._id,
    status,
    qrPayload: qrPayload('LOGIN', ticket._id, ticket.nonce),
    expiresAt: ticket.expiresAt.toISOString(),
  });
  const publish = (ticketId: string, status: TicketStatus) =>
    d.bus().publish(ticketChangedTopic, { ticketId, status });
  const load = async (id: string) =>
    typeof id === 'string' && id.length <= 64
      ? d.models.LoginTicket.findById(id).lean<LoginTicketDoc>().exec()
      : null;

  async function withSecret(id: string, secret: string): Promise<LoginTicketDoc> {
    const ticket = await load(id);
    const given = sha256(typeof secret === 'string' ? secret : '');
    if (!ticket || !timingSafeEqual(given, Buffer.from(ticket.secretHash, 'hex')))
      throw refuse.ticketInvalid();
    return ticket;
  }

  /** The ticket a scanned payload names, with its nonce checked. */
  async function scanned(payload: string): Promise<LoginTicketDoc> {
    const parsed = parseQrPayload(payload);
    const ticket = parsed?.kind === 'LOGIN' ? await load(parsed.id) : null;
    if (!ticket || ticket.nonce !== parsed!.nonce) throw refuse.ticketInvalid();
    return ticket;
  }

  const refusal = (status: TicketStatus) =>
    status === 'EXPIRED'
      ? refuse.ticketExpired()
      : status === 'REJECTED'
        ? refuse.ticketRejected()
        : refuse.ticketUsed();

  /** Publishes EXPIRED once (whichever process gets there first) when the ticket ran out unresolved. */
  const watchExpiry = (ticket: LoginTicketDoc) =>
    timers.watch(ticket._id, ticket.expiresAt, async () => {
      if (statusOf(ticket, await steps(ticket._id), d.now()) !== 'EXPIRED') return;
      if (
        await claimOnce(d.collections.claims, step(ticket._id, 'expired'), {
          at: d.now(),
          expiresAt: keep(ticket),
        })
      )
        await publish(ticket._id, 'EXPIRED');
    });

  return {
    /** A new ticket for the browser that asks; the secret is returned here only. */
    async create(client: ClientInfo): Promise<{ ticket: TicketView; ticketSecret: string }> {
      const now = d.now();
      await limitRate(
        d.collections.slots,
        'TICKET',
        client.ip,
        d.policy.rate.ticketsPerIp,
        d.policy.rate.windowSeconds,
        now,
      );
      const ticketSecret = randomBytes(32).toString('base64url');
      const doc = await d.models.LoginTicket.create({
        _id: randomBytes(18).toString('base64url'),
        nonce: randomBytes(12).toString('base64url'),
        secretHash: sha256(ticketSecret).toString('hex'),
        ip: client.ip,
        userAgent: client.userAgent,
        expiresAt: new Date(now.getTime() + d.policy.loginTicketTtlSeconds * 1000),
      });
      const ticket = doc.toObject() as LoginTicketDoc;
      watchExpiry(ticket); // creation is not published: nobody can be subscribed to a ticket before it exists
      return { ticket: view(ticket, 'PENDING'), ticketSecret };
    },

    /** The ticket, for the browser holding its secret. */
    async read(id: string, secret: string): Promise<TicketView> {
      const ticket = await withSecret(id, secret);
      return view(ticket, statusOf(ticket, await steps(id), d.now()));
    },

    /** What the verifier is about to authorise (no state change). */
    async context(payload: string) {
      const ticket = await scanned(payload);
      return {
        kind: 'LOGIN' as const,
        site: d.policy.siteName,
        purpose: `登录${d.policy.siteName}`,
        browser: browserSummary(ticket.userAgent ?? ''),
        ip: ticket.ip,
        requestedAt: ticket.createdAt.toISOString(),
        expiresAt: ticket.expiresAt.toISOString(),
      };
    },

    /** The verifier scanned the QR (signed): PENDING → SCANNED, for the first device only. */
    async scan(input: SignedInput) {
      const now = d.now();
      const ticket = await scanned(input.qrPayload);
      const status = statusOf(ticket, await steps(ticket._id), now);
      if (status !== 'PENDING' && status !== 'SCANNED') throw refusal(status);
      const device = await d.devices.verifySigned('scan', input, now);
      if (
        await claimOnce(d.collections.claims, step(ticket._id, 'scan'), {
          at: now,
          expiresAt: keep(ticket),
          deviceId: device._id,
          lawyerId: device.lawyerId,
        })
      ) {
        await publish(ticket._id, 'SCANNED');
      } else if (
        (await d.collections.claims.findOne({ _id: step(ticket._id, 'scan') }))?.deviceId !==
        device._id
      ) {
        throw refuse.ticketTaken();
      }
      return this.context(input.qrPayload);
    },

    /** The lawyer confirms or rejects on the device that scanned (signed): SCANNED → CONFIRMED | REJECTED. */
    async decide(input: SignedInput, decision: 'CONFIRMED' | 'REJECTED'): Promise<TicketView> {
      const now = d.now();
      const ticket = await scanned(input.qrPayload);
      const s = await steps(ticket._id);
      const status = statusOf(ticket, s, now);
      if (status === 'PENDING') throw refuse.ticketNotScanned();
      if (status !== 'SCANNED') throw refusal(status);
      const device = await d.devices.verifySigned(
        decision === 'CONFIRMED' ? 'confirm' : 'reject',
        input,
        now,
      );
      if (s.scan?.deviceId !== device._id) throw refuse.ticketTaken();
      const won = await claimOnce(d.collections.claims, step(ticket._id, 'decision'), {
        at: now,
        expiresAt: keep(ticket),
        decision,
        deviceId: device._id,
        lawyerId: device.lawyerId,
      });
      if (!won) throw refuse.ticketUsed();
      await publish(ticket._id, decision);
      return view(ticket, decision);
    },

    /** The creating browser exchanges a CONFIRMED ticket for a scan-login session, once. */
    async redeem(
      id: string,
      secret: string,
      client: ClientInfo,
    ): Promise<{ token: string; session: SessionDoc; lawyerId: string }> {
      const now = d.now();
      await limitRate(
        d.collections.slots,
        'LOGIN',
        client.ip,
        d.policy.rate.loginsPerIp,
        d.policy.rate.windowSeconds,
        now,
      );
      let ticket: LoginTicketDoc;
      try {
        ticket = await withSecret(id, secret);
      } catch (err) {
        await d.audit.record({
          kind: 'LOGIN_FAILED',
          ip: client.ip,
          detail: 'scan login: unknown ticket or wrong ticket secret',
        });
        throw err;
      }
      const s = await steps(ticket._id);
      const status = statusOf(ticket, s, now);
      if (status === 'PENDING' || status === 'SCANNED') throw refuse.ticketNotConfirmed();
      if (status !== 'CONFIRMED') throw refusal(status);
      const device = await d.models.Device.findById(s.decision!.deviceId).lean<DeviceDoc>().exec();
      if (!device || device.revokedAt) throw refuse.deviceInvalid();
      if (
        !(await claimOnce(d.collections.claims, step(ticket._id, 'redeem'), {
          at: now,
          expiresAt: keep(ticket),
        }))
      )
        throw refuse.ticketUsed();
      const opened = await d.sessions.open(
        { role: 'LAWYER', subjectId: device.lawyerId, method: 'SCAN', deviceId: device._id },
        now,
      );
      await d.audit.record({
        kind: 'LOGIN',
        actorId: device.lawyerId,
        actorRole: 'LAWYER',
        ip: client.ip,
        detail: `scan login, device ${device._id}`,
      });
      await publish(ticket._id, 'REDEEMED');
      return { ...opened, lawyerId: device.lawyerId };
    },

    /** Status changes of one ticket for the browser holding its secret (checked here, at subscription). */
    async listen(id: string, secret: string): Promise<AsyncIterableIterator<DomainEvent>> {
      const ticket = await withSecret(id, secret);
      const events = d.bus().listen([ticketChangedTopic], (e) => e.payload.ticketId === id);
      watchExpiry(ticket);
      return events;
    },

    /** The ticket named by an event, with the event's status (each change delivered as it was). */
    async atEvent(event: DomainEvent): Promise<TicketView> {
      const ticket = await load(String(event.payload.ticketId));
      if (!ticket) throw refuse.ticketInvalid();
      return view(ticket, event.payload.status as TicketStatus);
    },

    dispose: () => timers.dispose(),
  };
}
export type TicketService = ReturnType<typeof createTicketService>;
