// The notifications subgraph's metrics (served on METRICS_PORT): SMS attempts by provider and
// outcome, and the outbox: how many messages wait and how long the oldest has.
import type { Model } from 'mongoose';
import { counter, gauge } from '@yuejuan/runtime';

export const smsAttemptsTotal = counter({
  name: 'yuejuan_sms_attempts_total',
  help: 'SMS send attempts, by provider and outcome (sent, retry, failed) and the provider’s error code.',
  labelNames: ['provider', 'outcome', 'code'],
});

/** The outboxes of the process (one, except in tests). */
export const outboxes = new Set<Model<{ createdAt?: Date }>>();

const waiting = async () => {
  let depth = 0;
  let oldest: Date | null = null;
  for (const queue of outboxes) {
    depth += await queue.countDocuments({}).exec();
    const first = await queue
      .findOne({})
      .sort({ createdAt: 1 })
      .select('createdAt')
      .lean<{ createdAt?: Date }>()
      .exec();
    if (first?.createdAt && (!oldest || first.createdAt < oldest)) oldest = first.createdAt;
  }
  return { depth, oldestSeconds: oldest ? (Date.now() - oldest.getTime()) / 1000 : 0 };
};

gauge({
  name: 'yuejuan_sms_outbox_depth',
  help: 'SMS messages waiting in the outbox (queued or waiting for a retry).',
  async collect() {
    this.set((await waiting()).depth);
  },
});
gauge({
  name: 'yuejuan_sms_outbox_oldest_seconds',
  help: 'Age of the oldest message still waiting in the SMS outbox (0 when it is empty).',
  async collect() {
    this.set((await waiting()).oldestSeconds);
  },
});

// The webhook sender's metrics live beside it; exported here with the rest of this subgraph's.
export {
  webhookDeliveriesTotal,
  webhookDeliverySeconds,
  webhookEndpointsDisabledTotal,
} from './webhooks/metrics.ts';
