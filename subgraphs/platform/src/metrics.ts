// Prometheus metrics (prom-client): one registry per process, served by its own listener on
// METRICS_PORT (loopback by default), never through a service's public port or the gateway.
// Each package declares its metrics once, at module level, with `counter`/`histogram`/`gauge`
// (get-or-create: several servers of one kind in one test process share them).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { z } from 'zod';

/** The process's metrics. */
export const registry = new Registry();

const existing = <T>(name: string) => registry.getSingleMetric(name) as T | undefined;

export const counter = <L extends string>(c: CounterConfiguration<L>): Counter<L> =>
  existing<Counter<L>>(c.name) ?? new Counter({ ...c, registers: [registry] });
export const gauge = <L extends string>(c: GaugeConfiguration<L>): Gauge<L> =>
  existing<Gauge<L>>(c.name) ?? new Gauge({ ...c, registers: [registry] });
export const histogram = <L extends string>(c: HistogramConfiguration<L>): Histogram<L> =>
  existing<Histogram<L>>(c.name) ?? new Histogram({ ...c, registers: [registry] });

/** Latency buckets in seconds, from 1 ms to 10 s. */
export const secondsBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The metrics listener's settings (every service). */
export const metricsConfigShape = {
  /** Port of the /metrics listener; 0 (the default): no listener. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Its address: loopback unless a scraper on another host must reach it. */
  METRICS_HOST: z.string().default('127.0.0.1'),
};

let defaults = false;

/**
 * Serves `GET /metrics` (Prometheus text format) on its own listener, with Node's process
 * metrics (CPU, memory, event-loop lag, GC) under `service`. Anything else answers 404.
 */
export async function serveMetrics(
  service: string,
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  if (!defaults) {
    collectDefaultMetrics({ register: registry, labels: { service } });
    defaults = true;
  }
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
