/**
 * Structured logs: one pino JSON line per event (`level` as a word, ISO `time`,
 * `message`, then the fields). Each line written inside a request scope carries its
 * `correlationId`; an error line always has one (minted outside any scope). With tracing on,
 * a line written inside a span also carries its `traceId`, to find the trace from the log. Fields and
 * message go through redaction first, so tokens, cookies and Authorization headers never
 * reach the output.
 */
import { randomUUID } from 'node:crypto';
import { pino, stdTimeFunctions, type DestinationStream } from 'pino';
import type { LogLevel } from '../config.ts';
import { currentScope } from './correlation.ts';
import { currentTraceId } from './tracing.ts';
import { redactFields } from './redact.ts';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Where the JSON lines go; default process.stderr (stdout stays free for `npm start`'s banner). */
  destination?: DestinationStream;
}

type Level = Exclude<LogLevel, 'silent'>;

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const base = pino(
    {
      level,
      messageKey: 'message',
      base: undefined,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stderr,
  );
  const write = (at: Level) => (message: string, fields?: Record<string, unknown>) => {
    if (!base.isLevelEnabled(at)) return;
    const correlationId = currentScope()?.correlationId ?? (at === 'error' ? randomUUID() : undefined);
    const traceId = currentTraceId();
    // The message goes first among the fields (not as pino's trailing msg): lines read
    // `{"level","time","message",…fields}`, as before pino, for anyone matching on them.
    base[at](redactFields({ message, ...(correlationId ? { correlationId } : {}), ...(traceId ? { traceId } : {}), ...fields }));
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
