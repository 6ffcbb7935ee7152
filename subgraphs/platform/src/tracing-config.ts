// The tracing settings: the standard OpenTelemetry variables, validated like every other setting.
import { z } from 'zod';

/** The samplers of the OpenTelemetry specification that need no remote service. */
export const samplerNames = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

/** `k1=v1,k2=v2` (values percent-encoded), as OTEL_EXPORTER_OTLP_HEADERS; null when malformed. */
export function parseKeyValues(list: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const item of list.split(',')) {
    if (!item.trim()) continue;
    const eq = item.indexOf('=');
    const key = item.slice(0, eq).trim();
    if (eq <= 0 || !/^[A-Za-z0-9._~!#$%&'*+^`|-]+$/.test(key)) return null;
    try {
      out[key] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return out;
}

/** The standard variables count as unset when empty (the specification says so). */
const unsetIfEmpty = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema);
const endpoint = unsetIfEmpty(z.url({ protocol: /^https?$/ }).optional());
const keyValues = unsetIfEmpty(
  z
    .string()
    .refine((v) => parseKeyValues(v) !== null, 'must be key=value pairs separated by commas')
    .optional(),
);

/** Tracing settings (every service): the standard OpenTelemetry variables. */
export const tracingConfigShape = {
  /** Base URL of an OTLP/HTTP receiver: traces go to `<base>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
  /** The traces URL itself (wins over the base). Neither set: tracing is off. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint,
  /** Headers of every export (e.g. a collector's authorization), `k=v,…`. */
  OTEL_EXPORTER_OTLP_HEADERS: keyValues,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: keyValues,
  /** Longest an export (with its retries) may take, in ms. */
  OTEL_EXPORTER_OTLP_TIMEOUT: unsetIfEmpty(
    z.coerce.number().int().min(100).max(120_000).default(10_000),
  ),
  /** Resource attributes added to every span, `k=v,…` (e.g. deployment.environment.name=prod). */
  OTEL_RESOURCE_ATTRIBUTES: keyValues,
  /** Default: the service's own name (gateway, identity, cases, reading, notifications). */
  OTEL_SERVICE_NAME: unsetIfEmpty(z.string().max(100).optional()),
  OTEL_TRACES_SAMPLER: unsetIfEmpty(z.enum(samplerNames).default('parentbased_always_on')),
  /** The ratio of the traceidratio samplers, 0 to 1 (default 1); ignored by the others. */
  OTEL_TRACES_SAMPLER_ARG: unsetIfEmpty(z.coerce.number().min(0).max(1).optional()),
  OTEL_SDK_DISABLED: unsetIfEmpty(z.enum(['true', 'false']).default('false')),
};
export type TracingConfig = z.infer<z.ZodObject<typeof tracingConfigShape>>;

/** Where spans are sent, or null when tracing is not configured (or disabled). */
export function tracesEndpoint(config: TracingConfig): string | null {
  if (config.OTEL_SDK_DISABLED === 'true') return null;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : null;
}

/** The sampler the settings ask for, in plain terms. */
export interface SamplerSettings {
  /** What decides a trace started here (no parent). */
  root: 'always_on' | 'always_off' | 'traceidratio';
  /** The share of root traces kept. */
  ratio: number;
  /** Whether a span with a parent follows its parent's decision. */
  parentBased: boolean;
}

export function samplerSettings(
  config: Pick<TracingConfig, 'OTEL_TRACES_SAMPLER' | 'OTEL_TRACES_SAMPLER_ARG'>,
): SamplerSettings {
  const parentBased = config.OTEL_TRACES_SAMPLER.startsWith('parentbased_');
  const root = config.OTEL_TRACES_SAMPLER.replace(/^parentbased_/, '') as SamplerSettings['root'];
  const ratio =
    root === 'traceidratio' ? (config.OTEL_TRACES_SAMPLER_ARG ?? 1) : root === 'always_on' ? 1 : 0;
  return { root, ratio, parentBased };
}
