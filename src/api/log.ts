/** Structured JSON logs (pino) on stdout: one line per request and per notable event. */
import pino, { type Logger } from 'pino';

/**
 * Credentials never reach the log, even if a future log line carries request headers or a config
 * object: these paths are censored by pino before serialisation.
 */
export const REDACT_PATHS = [
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.authorization',
  'apiKeys',
  '*.apiKeys',
  'password',
  '*.password',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'wfad-api' }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination);
}
