// The webhook metrics (served on METRICS_PORT with the rest of notifications'): attempts by
// outcome, how long receivers take, and the queue: how many runs wait and how long the oldest has.
import type { Model } from 'mongoose';
import { counter, gauge, histogram } from '@yuejuan/runtime';

export const webhookDeliveriesTotal = counter({
  name: 'yuejuan_webhook_deliveries_total',
  help: 'Webhook delivery attempts by outcome: delivered (2xx), retry (will try again), failed (gave up), cancelled (access or endpoint gone).',
  labelNames: ['outcome'],
});

export const webhookDeliverySeconds = histogram({
  name: 'yuejuan_webhook_delivery_seconds',
  help: 'Time from request to the receiver’s answer (or failure), per attempt.',
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

export const webhookEndpointsDisabledTotal = counter({
  name: 'yuejuan_webhook_endpoints_disabled_total',
  help: 'Webhook endpoints the platform disabled because every attempt failed for too long.',
});

/** The webhook queues of the process (one, except in tests). */
export const webhookQueues = new Set<Model<{ createdAt?: Date; dueAt?: Date }>>();

const waiting = async () => {
  let depth = 0;
  let oldest: Date | null = null;
  let due: Date | null = null;
  for (const queue of webhookQueues) {
    depth += await queue.countDocuments({}).exec();
    const first = await queue
      .findOne({})
      .sort({ createdAt: 1 })
      .select('createdAt')
      .lean<{ createdAt?: Date }>()
      .exec();
    if (first?.createdAt && (!oldest || first.createdAt < oldest)) oldest = first.createdAt;
    const next = await queue
      .findOne({})
      .sort({ dueAt: 1 })
      .select('dueAt')
      .lean<{ dueAt?: Date }>()
      .exec();
    if (next?.dueAt && (!due || next.dueAt < due)) due = next.dueAt;
  }
  const now = Date.now();
  return {
    depth,
    oldestSeconds: oldest ? (now - oldest.getTime()) / 1000 : 0,
    overdueSeconds: due ? Math.max(0, now - due.getTime()) / 1000 : 0,
  };
};

gauge({
  name: 'yuejuan_webhook_queue_depth',
  help: 'Webhook deliveries waiting (new, waiting for a retry, or replays).',
  async collect() {
    this.set((await waiting()).depth);
  },
});
gauge({
  name: 'yuejuan_webhook_oldest_pending_seconds',
  help: 'Age of the oldest webhook delivery still waiting (0 when none).',
  async collect() {
    this.set((await waiting()).oldestSeconds);
  },
});
gauge({
  name: 'yuejuan_webhook_overdue_seconds',
  help: 'How long the most overdue webhook delivery has been due without being attempted (0 when none is): senders stalled. Retries waiting for their time do not count.',
  async collect() {
    this.set((await waiting()).overdueSeconds);
  },
});
