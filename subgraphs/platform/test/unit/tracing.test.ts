import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import {
  ConfigError,
  contextFromTraceparent,
  createLogger,
  createSampler,
  inSpan,
  loadConfig,
  parseKeyValues,
  samplerSettings,
  startTracing,
  traceparentOf,
  tracesEndpoint,
  tracingActive,
  tracingConfigShape,
  type Tracing,
} from '../../src/index.ts';

const load = (env: Record<string, string>) => loadConfig(tracingConfigShape, env);
const problems = (env: Record<string, string>) => {
  try {
    load(env);
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('tracing configuration (the standard OTEL_* variables)', () => {
  it('is off unless an endpoint is set, and OTEL_SDK_DISABLED turns it off again', () => {
    expect(tracesEndpoint(load({}))).toBeNull();
    expect(tracesEndpoint(load({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }))).toBeNull();
    expect(tracesEndpoint(load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracesEndpoint(
        load({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.cn/otlp/spans',
        }),
      ),
    ).toBe('https://traces.example.cn/otlp/spans');
    expect(
      tracesEndpoint(
        load({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }),
      ),
    ).toBeNull();
  });

  it('parses the sampler and its ratio as the specification names them', () => {
    expect(samplerSettings(load({}))).toEqual({ root: 'always_on', ratio: 1, parentBased: true });
    expect(samplerSettings(load({ OTEL_TRACES_SAMPLER: 'always_off' }))).toEqual({
      root: 'always_off',
      ratio: 0,
      parentBased: false,
    });
    expect(
      samplerSettings(
        load({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
      ),
    ).toEqual({ root: 'traceidratio', ratio: 0.25, parentBased: true });
    // The ratio samplers default to 1; the others ignore the argument.
    expect(samplerSettings(load({ OTEL_TRACES_SAMPLER: 'traceidratio' })).ratio).toBe(1);
    expect(
      samplerSettings(load({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.1' })),
    ).toEqual({ root: 'always_on', ratio: 1, parentBased: false });
  });

  it('refuses an unknown sampler, a ratio outside 0..1, a bad endpoint or header list, naming each', () => {
    const message = problems({
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '1.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization',
    });
    expect(message).toMatch(/OTEL_TRACES_SAMPLER: .*"jaeger_remote"/);
    expect(message).toMatch(/OTEL_TRACES_SAMPLER_ARG: .*"1\.5"/);
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT: .*"collector:4318"/);
    expect(message).toMatch(/OTEL_EXPORTER_OTLP_HEADERS: .*value hidden/);
    expect(problems({ OTEL_TRACES_SAMPLER_ARG: 'half' })).toMatch(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('reads header and resource lists as percent-encoded key=value pairs', () => {
    expect(parseKeyValues('authorization=Bearer%20abc, x-tenant=sh')).toEqual({
      authorization: 'Bearer abc',
      'x-tenant': 'sh',
    });
    expect(parseKeyValues('')).toEqual({});
    expect(parseKeyValues('=nokey')).toBeNull();
    expect(parseKeyValues('a=%E0%A4%A')).toBeNull();
  });
});

describe('the sampler built from the settings', () => {
  const remoteParent = (sampled: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '1'.repeat(32),
      spanId: '2'.repeat(16),
      traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
  const decide = (
    sampler: ReturnType<typeof createSampler>,
    parent = ROOT_CONTEXT,
    traceId = 'f'.repeat(32),
  ) => sampler.shouldSample(parent, traceId, 'x', SpanKind.SERVER, {}, []).decision;
  const RECORD_AND_SAMPLED = 2;
  const NOT_RECORD = 0;

  it('follows a sampled or unsampled parent when parent-based, and samples roots by ratio', () => {
    const sampler = createSampler({ root: 'traceidratio', ratio: 0.5, parentBased: true });
    expect(sampler.toString()).toMatch(/ParentBased\{root=TraceIdRatioBased\{0\.5\}/);
    expect(decide(sampler, remoteParent(true))).toBe(RECORD_AND_SAMPLED);
    expect(decide(sampler, remoteParent(false))).toBe(NOT_RECORD);
    // The ratio sampler keeps a trace id whose hash (its four 32-bit words xor-ed) is below
    // ratio × 2^32: the decision is the same in every service that sees the id.
    expect(decide(sampler, ROOT_CONTEXT, '00000001' + '0'.repeat(24))).toBe(RECORD_AND_SAMPLED);
    expect(decide(sampler, ROOT_CONTEXT, 'ffffffff' + '0'.repeat(24))).toBe(NOT_RECORD);
  });

  it('ignores the parent when not parent-based', () => {
    const off = createSampler({ root: 'always_off', ratio: 0, parentBased: false });
    expect(decide(off, remoteParent(true))).toBe(NOT_RECORD);
    const on = createSampler({ root: 'always_on', ratio: 1, parentBased: false });
    expect(decide(on, remoteParent(false))).toBe(RECORD_AND_SAMPLED);
  });
});

describe('spans, propagation and log lines in one process', () => {
  let tracing: Tracing | null = null;
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = null;
  });

  it('does nothing when not configured: no span, no traceparent, no ids in logs', async () => {
    expect(startTracing(load({}), 'test')).toBeNull();
    expect(tracingActive()).toBe(false);
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (l: string) => void lines.push(l) });
    const seen = await inSpan('work', {}, (span) => {
      logger.info('inside');
      return { span, traceparent: traceparentOf() };
    });
    expect(seen).toEqual({ span: undefined, traceparent: undefined });
    expect(JSON.parse(lines[0]!)).not.toHaveProperty('trace_id');
  });

  it('nests spans, hands a traceparent on, continues from a stored one, and stamps log lines', async () => {
    const exporter = new InMemorySpanExporter();
    tracing = startTracing(load({}), 'test', { exporter });
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (l: string) => void lines.push(l) });
    const stored = await inSpan('publish', {}, async () => {
      logger.info('inside');
      return traceparentOf();
    });
    logger.info('outside');
    await inSpan('consume', { parent: contextFromTraceparent(stored) }, () => undefined);
    await expect(
      inSpan('fails', {}, () => {
        throw Object.assign(new Error('电话 13600000000 已存在'), {
          extensions: { code: 'CONFLICT' },
        });
      }),
    ).rejects.toThrow();
    await tracing!.flush();
    const [publish, consume, fails] = exporter.getFinishedSpans();
    expect(stored).toBe(`00-${publish!.spanContext().traceId}-${publish!.spanContext().spanId}-01`);
    expect(consume!.spanContext().traceId).toBe(publish!.spanContext().traceId);
    expect(consume!.parentSpanContext?.spanId).toBe(publish!.spanContext().spanId);
    // A failure is recorded by its code, never its message.
    expect(fails!.status).toEqual({ code: 2, message: 'CONFLICT' });
    expect(fails!.attributes['error.type']).toBe('CONFLICT');
    expect(JSON.stringify(fails!.events)).not.toContain('13600000000');
    const [inside, outside] = lines.map((l) => JSON.parse(l));
    expect(inside).toMatchObject({
      msg: 'inside',
      trace_id: publish!.spanContext().traceId,
      span_id: publish!.spanContext().spanId,
    });
    expect(outside).not.toHaveProperty('trace_id');
    expect(publish!.resource.attributes['service.name']).toBe('test');
  });

  it('logs a warning when the collector cannot be reached, and goes on serving', async () => {
    // A port that was just free: nothing listens there.
    const closed = await new Promise<number>((resolve) => {
      const server = http.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (l: string) => void lines.push(l) });
    tracing = startTracing(
      load({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closed}`,
        OTEL_EXPORTER_OTLP_TIMEOUT: '300',
      }),
      'test',
      { logger },
    );
    await expect(inSpan('work', {}, () => 'done')).resolves.toBe('done');
    await tracing!.flush();
    const warnings = lines.map((l) => JSON.parse(l)).filter((l) => l.component === 'opentelemetry');
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0].level).toBe(40);
  });
});
