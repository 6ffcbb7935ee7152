import {
  AppError,
  contextFromTraceparent,
  inSpan,
  isDuplicateKey,
  SpanKind,
  traceparentOf,
  type Logger,
} from '@yuejuan/runtime';
import type { FanoutDoc, MessageKind, NotificationsModels } from '../models/index.ts';
import { RouteMissingError, type ContactsClient } from '../services/contacts.service.ts';
import type { NotificationService } from '../services/notification.service.ts';
import { render, templates } from '../templates.ts';

export interface FanoutOptions {
  models: NotificationsModels;
  notifications: NotificationService;
  contacts: ContactsClient | null;
  logger: Logger;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** Told when a fan-out falls due again (the loop wakes then). */
  onRetry?: (dueAt: Date) => void;
}

export interface NewFanout {
  eventId: string;
  procuratorateId: string;
  kind: MessageKind;
  variables: Record<string, string>;
  subjectId: string | null;
}

/**
 * In-app notifications to every prosecutor of a procuratorate. The event consumer only records
 * the fan-out (keyed by event id) and kicks; `run` asks identity for the prosecutors
 * (`/internal/contacts/by-procuratorate`) and adds one notification per prosecutor under the id
 * `${eventId}:${prosecutorId}`. Identity being down, or not serving that route yet, only
 * delays the fan-out (backoff, then FAILED with the reason); several processes running the same
 * fan-out add each notification once, as the ids are deterministic.
 */
export function createFanout(o: FanoutOptions) {
  const { models, logger } = o;
  let warnedMissing = false;
  const backoff = (n: number) => Math.min(o.backoffBaseMs * 2 ** (n - 1), o.backoffCapMs);

  /** Runs a fan-out in a span of the trace of the event that caused it. */
  const runOne = (f: FanoutDoc): Promise<void> =>
    inSpan(
      'notifications fanout',
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(f.traceparent),
        attributes: { 'messaging.message.id': f._id, 'yuejuan.fanout.attempt': f.attempts + 1 },
      },
      () => attempt(f),
    );

  async function attempt(f: FanoutDoc): Promise<void> {
    const attempts = f.attempts + 1;
    try {
      if (!o.contacts) throw new RouteMissingError('/internal/contacts/by-procuratorate');
      const prosecutors = await o.contacts.byProcuratorate(f.procuratorateId);
      const t = templates[f.kind].inApp!;
      for (const p of prosecutors) {
        await o.notifications.add({
          id: `${f._id}:${p.id}`,
          recipient: { id: p.id, role: 'PROSECUTOR' },
          kind: f.kind,
          title: render(t.title, f.variables),
          body: render(t.body, f.variables),
          subjectId: f.subjectId,
        });
      }
      // Done fan-outs are deleted so the due scan stays as small as the backlog; a replay of the
      // event within the bus's look-back would only re-add the same notification ids.
      await models.Fanout.deleteOne({ _id: f._id }).exec();
      logger.info(
        { eventId: f._id, kind: f.kind, recipients: prosecutors.length, attempts },
        'prosecutor notifications added',
      );
    } catch (err) {
      if (!(err instanceof RouteMissingError) && !(err instanceof AppError)) throw err;
      const lastError = err.message;
      if (err instanceof RouteMissingError && !warnedMissing) {
        warnedMissing = true;
        logger.warn(
          { route: err.route },
          'identity does not serve the prosecutors-by-procuratorate route yet; prosecutor notifications wait',
        );
      }
      const failed = attempts >= o.maxAttempts;
      const dueAt = new Date(Date.now() + backoff(attempts));
      await models.Fanout.updateOne(
        { _id: f._id },
        { $set: { attempts, lastError, ...(failed ? { status: 'FAILED' } : { dueAt }) } },
      ).exec();
      if (!failed) o.onRetry?.(dueAt);
      if (failed)
        logger.warn(
          { eventId: f._id, error: lastError },
          'prosecutor notification fan-out gave up',
        );
    }
  }

  return {
    /** Records a fan-out once per event. */
    async record(f: NewFanout): Promise<void> {
      const traceparent = traceparentOf();
      try {
        await models.Fanout.create({
          _id: f.eventId,
          procuratorateId: f.procuratorateId,
          kind: f.kind,
          variables: f.variables,
          subjectId: f.subjectId,
          dueAt: new Date(),
          ...(traceparent ? { traceparent } : {}),
        });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },
    /** Runs the due fan-outs; answers how many it ran. */
    async run(): Promise<number> {
      const due = await models.Fanout.find({ status: 'PENDING', dueAt: { $lte: new Date() } })
        .limit(20)
        .lean<FanoutDoc[]>()
        .exec();
      for (const f of due) await runOne(f);
      return due.length;
    },
  };
}
export type Fanout = ReturnType<typeof createFanout>;
