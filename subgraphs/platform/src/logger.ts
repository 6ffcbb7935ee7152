import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { isSpanContextValid, trace } from '@opentelemetry/api';

export type Logger = PinoLogger;

/**
 * Paths whose values never reach a log line: tokens, passwords, SMS codes, ticket secrets,
 * auth headers. pino replaces them before serialising.
 */
export const redactedPaths = [
  '*.password',
  '*.newPassword',
  '*.code',
  '*.smsCode',
  '*.token',
  '*.ticketSecret',
  '*.secret',
  'req.headers.authorization',
  'req.headers["x-internal-token"]',
  'headers.authorization',
  'variables.password',
  'variables.newPassword',
  'variables.code',
  'variables.smsCode',
  'variables.ticketSecret',
];

/**
 * The trace of the line: `trace_id` and `span_id` of the active span, so a log line leads to its
 * trace and back. Nothing without one (or without tracing: then no span is ever active). A new
 * object each time: pino merges the line's fields into it.
 */
export function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}

/** Structured JSON logs (pino) named after the service, with the trace ids of each line. */
export function createLogger(
  name: string,
  level = 'info',
  destination?: DestinationStream,
): Logger {
  return pino(
    { name, level, redact: { paths: redactedPaths, censor: '[redacted]' }, mixin: traceIds },
    destination,
  );
}
