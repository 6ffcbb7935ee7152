import { ConfigError } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { serveMetrics } from './metrics.ts';
import { beginDrain } from './lifecycle.ts';
import { startTracing, type TracingConfig } from './tracing.ts';

/**
 * Process entry of a service: validates its configuration (a bad value stops startup with a
 * message naming the variable, exit code 78), starts it, and stops it cleanly on SIGINT/SIGTERM.
 */
export async function runService<
  C extends {
    LOG_LEVEL: string;
    METRICS_PORT?: number;
    METRICS_HOST?: string;
    SHUTDOWN_DRAIN_MS?: number;
  } & TracingConfig,
>(
  name: string,
  load: () => C,
  start: (config: C, logger: Logger) => Promise<() => Promise<void>>,
): Promise<void> {
  let config: C;
  try {
    config = load();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  // Before the service starts, so its first request is traced (off unless an endpoint is set).
  const tracing = startTracing(config, name, { logger });
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    beginDrain();
    const drainMs = config.SHUTDOWN_DRAIN_MS ?? 0;
    logger.info({ signal, drainMs }, `${name} stopping`);
    const force = setTimeout(() => process.exit(1), drainMs + 10_000).unref();
    try {
      if (drainMs) await new Promise((r) => setTimeout(r, drainMs));
      await stop?.();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    const stopService = await start(config, logger);
    // Prometheus scrapes its own listener (METRICS_PORT), never the service's public port.
    const metrics = config.METRICS_PORT
      ? await serveMetrics(name, config.METRICS_PORT, config.METRICS_HOST)
      : null;
    if (metrics) logger.info({ url: metrics.url }, 'metrics served');
    stop = async () => {
      await metrics?.close();
      await stopService();
      await tracing?.shutdown(); // the last spans are sent
    };
  } catch (err) {
    logger.fatal({ err }, `${name} failed to start`);
    process.exit(1);
  }
}
