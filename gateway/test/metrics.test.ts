// /metrics (prom-client) as an operator scrapes it: on its own loopback listener, never on the
// gateway's public port; RED per operation and client, each subgraph fetch, refusals, and the
// database commands of the subgraphs in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '@yuejuan/platform';
import { startStack, type Stack } from './stack.ts';
import { seedPeople, shanghai } from './fixtures.ts';
import { post, send } from './http.ts';

describe('metrics', () => {
  let stack: Stack;
  let metrics: Awaited<ReturnType<typeof serveMetrics>>;
  beforeAll(async () => {
    stack = await startStack('metrics');
    await seedPeople(stack);
    metrics = await serveMetrics('gateway', 0);
  });
  afterAll(async () => {
    await metrics?.close();
    await stack?.stop();
  });
  const scrape = async () => {
    const res = await fetch(metrics.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };
  /** The value of one series in the scrape, or 0 when it is not there yet. */
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.slice(series.length + 1)) : 0;
  };

  it('counts operations per name, client and outcome, times them and their subgraph fetches, and counts persisted-operation refusals', async () => {
    const before = await scrape();
    const query = /* GraphQL */ `
      query MetricsProcuratorates($province: String) {
        procuratorates(province: $province) {
          id
        }
      }
    `;
    // A persisted-only gateway refuses free text: refused, and counted.
    const strict = await stack.startGateway({ YUEJUAN_PERSISTED_ONLY: 'true' });
    const refused = await post(
      strict.url,
      { query, variables: { province: shanghai.province } },
      { 'apollographql-client-name': 'portal' },
    );
    expect(refused.status).toBe(400);
    const after = await scrape();
    expect(
      value(
        after,
        'yuejuan_gateway_refusals_total{reason="PERSISTED_QUERY_REQUIRED",transport="http"}',
      ) -
        value(
          before,
          'yuejuan_gateway_refusals_total{reason="PERSISTED_QUERY_REQUIRED",transport="http"}',
        ),
    ).toBe(1);

    // A query that runs: by name and app, ok; its subgraph fetch and database commands timed.
    {
      const other = stack;
      for (const client of ['portal', 'portal', 'console'])
        expect(
          (
            await post(
              other.url,
              { query, variables: { province: shanghai.province } },
              { 'apollographql-client-name': client },
            )
          ).status,
        ).toBe(200);
      const text = await scrape();
      expect(
        value(
          text,
          'yuejuan_gateway_operations_total{operation="MetricsProcuratorates",client="portal",outcome="ok"}',
        ),
      ).toBe(2);
      expect(
        value(
          text,
          'yuejuan_gateway_operations_total{operation="MetricsProcuratorates",client="console",outcome="ok"}',
        ),
      ).toBe(1);
      expect(
        value(
          text,
          'yuejuan_gateway_operation_seconds_count{operation="MetricsProcuratorates",client="portal"}',
        ),
      ).toBe(2);
      expect(
        value(text, 'yuejuan_gateway_subgraph_fetch_seconds_count{subgraph="cases",outcome="ok"}'),
      ).toBeGreaterThanOrEqual(3);
      expect(text).toMatch(
        /yuejuan_db_command_seconds_count\{database="[^"]+",command="find",outcome="ok"\} [1-9]/,
      );
      // An unnamed or unknown app is not trusted with a label of its own choosing.
      await post(other.url, { query }, { 'apollographql-client-name': 'x'.repeat(100) });
      expect(
        value(
          await scrape(),
          'yuejuan_gateway_operations_total{operation="MetricsProcuratorates",client="other",outcome="ok"}',
        ),
      ).toBe(1);
      // Node's own figures are there, with the service's name.
      expect(text).toContain('process_resident_memory_bytes{service="gateway"}');
    }
  });

  it('is not served on the public port', async () => {
    const res = await send(`${stack.url.replace(/\/graphql$/, '')}/metrics`, { method: 'GET' });
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('yuejuan_');
  });
});
