// OpenTelemetry tracing: one trace per client operation, from the gateway through the subgraphs,
// their database commands and the event bus, exported over OTLP/HTTP. Off unless an endpoint is
// configured: then no SDK is even loaded, and every helper here is a plain call of its callback.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanOptions,
} from '@opentelemetry/api';
import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-node';
import {
  parseKeyValues,
  samplerSettings,
  tracesEndpoint,
  type SamplerSettings,
  type TracingConfig,
} from './tracing-config.ts';
import type { Logger } from './logger.ts';

type Sdk = typeof import('@opentelemetry/sdk-trace-node');
// Loaded only when tracing is on, and resolved from this package: a bundled service resolves
// bare imports from its own folder, where @apollo/gateway's older OpenTelemetry 1.x sits.
const load = createRequire(import.meta.url);
const sdk = (): Sdk => load('@opentelemetry/sdk-trace-node') as Sdk;

/** The SDK sampler of the settings. */
export function createSampler(settings: SamplerSettings): Sampler {
  const s = sdk();
  const root =
    settings.root === 'traceidratio'
      ? new s.TraceIdRatioBasedSampler(settings.ratio)
      : settings.root === 'always_on'
        ? new s.AlwaysOnSampler()
        : new s.AlwaysOffSampler();
  return settings.parentBased ? new s.ParentBasedSampler({ root }) : root;
}

let active = false;
/** Whether this process records spans (startTracing ran with an endpoint or exporter). */
export const tracingActive = (): boolean => active;

export interface Tracing {
  /** Sends the spans still buffered (a failure is logged, not thrown). */
  flush(): Promise<void>;
  /** Flushes, then turns tracing off in this process. */
  shutdown(): Promise<void>;
}

/**
 * Starts tracing in this process when configured: a tracer provider with the configured
 * sampler, a batching OTLP/HTTP (JSON) exporter, W3C trace context propagation and an
 * AsyncLocalStorage context. Answers null (and changes nothing) when not configured. One per
 * process; `exporter` replaces the OTLP one (tests); the SDK's warnings (e.g. a collector that
 * cannot be reached) go to `logger`.
 */
export function startTracing(
  config: TracingConfig,
  service: string,
  options: { exporter?: SpanExporter; logger?: Pick<Logger, 'warn'> } = {},
): Tracing | null {
  const url = tracesEndpoint(config);
  if (!url && !options.exporter) return null;
  if (active) throw new Error('tracing is already started in this process');
  const { NodeTracerProvider, BatchSpanProcessor } = sdk();
  const { resourceFromAttributes } = load(
    '@opentelemetry/resources',
  ) as typeof import('@opentelemetry/resources');
  const { OTLPTraceExporter } = load(
    '@opentelemetry/exporter-trace-otlp-http',
  ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const exporter =
    options.exporter ??
    new OTLPTraceExporter({
      url: url!,
      timeoutMillis: config.OTEL_EXPORTER_OTLP_TIMEOUT,
      headers: {
        ...parseKeyValues(config.OTEL_EXPORTER_OTLP_HEADERS ?? ''),
        ...parseKeyValues(config.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ''),
      },
    });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      ...parseKeyValues(config.OTEL_RESOURCE_ATTRIBUTES ?? ''),
      'service.name': config.OTEL_SERVICE_NAME ?? service,
      'service.namespace': 'yuejuan',
      'service.instance.id': randomUUID(),
    }),
    sampler: createSampler(samplerSettings(config)),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  // The SDK's own complaints (a collector that cannot be reached, a full queue) go to the log.
  const logger = options.logger;
  if (logger) {
    const warn = (message: string, ...args: unknown[]) =>
      logger.warn(
        { component: 'opentelemetry', detail: args.map((a) => (a as Error)?.message ?? String(a)) },
        message,
      );
    const quiet = () => undefined;
    diag.setLogger(
      { error: warn, warn, info: quiet, debug: quiet, verbose: quiet },
      DiagLogLevel.WARN,
    );
  }
  active = true;
  return {
    // A failed export is reported (as the SDK's timer does), never thrown at the caller.
    flush: () => provider.forceFlush().catch((err) => diag.error('spans not exported', err)),
    async shutdown() {
      if (!active) return;
      await provider.shutdown().catch((err) => diag.error('spans not exported', err));
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
      active = false;
    },
  };
}

/** The tracer of our own spans (the gateway's query planning has Apollo's). */
export const tracer = () => trace.getTracer('yuejuan');

/** The W3C `traceparent` of `ctx` (default: the active one), when it holds a span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  if (!active || !trace.getSpan(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** Adds `traceparent` (and `tracestate`) of the active span to outgoing request headers. */
export function injectTraceHeaders<H extends Record<string, unknown>>(headers: H): H {
  if (active) propagation.inject(context.active(), headers);
  return headers;
}

/** A context whose parent is the span a stored `traceparent` names (root when there is none). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  return active && traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Marks a span failed with the error's code or class, never its message (it may hold data). */
export function failSpan(span: Span, err: unknown): void {
  const e = err as { extensions?: { code?: unknown }; codeName?: unknown; name?: unknown };
  const type = String(e?.extensions?.code ?? e?.codeName ?? e?.name ?? 'Error');
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

/**
 * Runs `fn` in a new span (child of `parent`, default the active context) and ends it; a
 * thrown error marks it failed and is rethrown. Without tracing, only `fn` runs.
 */
export async function inSpan<T>(
  name: string,
  options: SpanOptions & { parent?: Context },
  fn: (span: Span | undefined) => Promise<T> | T,
): Promise<T> {
  if (!active) return fn(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, options, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs `fn` outside any trace: background loops must not inherit the request that started them. */
export const untraced = <T>(fn: () => T): T => (active ? context.with(ROOT_CONTEXT, fn) : fn());

export * from './tracing-config.ts';
export { traceRequests } from './trace-http.ts';
export { SpanKind, type Span } from '@opentelemetry/api';
