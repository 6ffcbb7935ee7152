// A service process configured by the standard OTEL_* variables: it continues the caller's
// trace, names itself in the resource, and sends its last spans when it stops.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@yuejuan/database';
import {
  anonymous,
  callSubgraph,
  testMongoUri,
  uniqueDatabaseName,
} from '@yuejuan/runtime/testing';
import { internalTokenHeader, mintInternalToken } from '@yuejuan/platform';
import { startOtlpReceiver } from './otlp-receiver.ts';

const casesEntry = join(
  dirname(fileURLToPath(import.meta.resolve('@yuejuan/cases/config'))),
  'index.ts',
);

describe('a traced subgraph process', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops) await stop();
  });

  it("exports its spans under its own service name, as children of the caller's fetch", async () => {
    const receiver = await startOtlpReceiver();
    stops.push(receiver.close);
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const child = spawn(process.execPath, ['--import', 'tsx', casesEntry], {
      env: {
        PATH: process.env.PATH,
        APOLLO_TELEMETRY_DISABLED: 'true',
        MONGODB_URI: testMongoUri(),
        CASES_DB: uniqueDatabaseName('traced'),
        PORT: String(port),
        YUEJUAN_INTERNAL_SECRET: secret,
        LOG_LEVEL: 'warn',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    stops.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    for (let i = 0; i < 300; i++) {
      const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const caller = {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
    };
    const res = await callSubgraph(
      `http://127.0.0.1:${port}/graphql`,
      { query: '{ procuratorates { id } }' },
      {
        headers: {
          [internalTokenHeader]: await mintInternalToken(secret, 'cases', anonymous),
          traceparent: `00-${caller.traceId}-${caller.spanId}-01`,
        },
      },
    );
    expect(res.status).toBe(200);
    // Spans are batched: SIGTERM's clean stop sends what is left.
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(0);

    const spans = receiver.trace(caller.traceId);
    const server = spans.find((s) => s.kind === 2);
    expect(server).toMatchObject({
      service: 'cases',
      name: 'POST /graphql',
      parentSpanId: caller.spanId,
      attributes: { 'http.response.status_code': 200, 'server.port': port },
    });
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Query.procuratorates', 'find procuratorates']),
    );
    expect(receiver.requests[0]).toEqual({ path: '/v1/traces', contentType: 'application/json' });
    // /ready probes are not traced.
    expect(receiver.spans.filter((s) => s.kind === 2)).toHaveLength(1);
  });
});
