import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

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

/** Structured JSON logs (pino) named after the service. */
export function createLogger(
  name: string,
  level = 'info',
  destination?: DestinationStream,
): Logger {
  return pino({ name, level, redact: { paths: redactedPaths, censor: '[redacted]' } }, destination);
}
