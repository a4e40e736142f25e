/** Structured JSON logs (pino) on stdout: one line per request and per notable event. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'wfad-api' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
