// The /metrics listener: Prometheus text of the process's registry on its own port, loopback by
// default; nothing else is served there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counter, serveMetrics } from '../../src/metrics.ts';

describe('serveMetrics', () => {
  let served: Awaited<ReturnType<typeof serveMetrics>>;
  const hits = counter({
    name: 'yuejuan_test_hits_total',
    help: 'A counter of this test.',
    labelNames: ['kind'],
  });
  beforeAll(async () => {
    served = await serveMetrics('test-service', 0);
  });
  afterAll(async () => {
    await served?.close();
  });

  it('serves the registry as Prometheus text on loopback, with Node’s own figures under the service', async () => {
    expect(new URL(served.url).hostname).toBe('127.0.0.1');
    hits.inc({ kind: 'a' });
    hits.inc({ kind: 'a' });
    const res = await fetch(served.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE yuejuan_test_hits_total counter');
    expect(text).toContain('yuejuan_test_hits_total{kind="a"} 2');
    expect(text).toContain('process_cpu_user_seconds_total{service="test-service"}');
    // Declaring it again (a second server of one kind in a process) gives the same metric.
    expect(counter({ name: 'yuejuan_test_hits_total', help: 'again', labelNames: ['kind'] })).toBe(
      hits,
    );
  });

  it('answers 404 to anything but GET /metrics', async () => {
    const base = served.url.replace(/\/metrics$/, '');
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect((await fetch(`${base}/metrics/x`)).status).toBe(404);
    expect((await fetch(served.url, { method: 'POST' })).status).toBe(404);
  });
});
