// The subgraph kit's metrics (served on METRICS_PORT by runService): database commands and the
// event bus. Each subgraph adds its own (notifications: the SMS outbox; reading: builds, pages).
import { counter, histogram, secondsBuckets } from '@yuejuan/platform';

export const dbCommandSeconds = histogram({
  name: 'yuejuan_db_command_seconds',
  help: 'Database commands (MongoDB driver command monitoring), by database, command and outcome.',
  labelNames: ['database', 'command', 'outcome'],
  buckets: secondsBuckets,
});
export const busLagSeconds = histogram({
  name: 'yuejuan_bus_delivery_lag_seconds',
  help: 'Time from an event’s publication to its delivery to a listener or consumer, by topic.',
  labelNames: ['topic'],
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
});
export const busGapsTotal = counter({
  name: 'yuejuan_bus_gaps_total',
  help: 'Durable consumers that found their resume point overwritten in the capped events collection (events they never saw).',
  labelNames: ['consumer'],
});
