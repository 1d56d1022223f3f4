/**
 * The real logger (pino, redaction and all) writing into memory instead of stderr, so a
 * test sees exactly the JSON lines an operator would.
 */
import type { LogLevel } from '../../src/config.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';

export type LogLine = Record<string, unknown> & { level: string; message: string; time: string };

export interface LogStream {
  logger: Logger;
  /** Everything written so far, verbatim. */
  readonly text: string;
  /** The lines written so far, parsed. */
  lines(): LogLine[];
  /** Resolves with the first line (already written or still to come) matching `predicate`. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
}

export function captureLogStream(level: LogLevel = 'debug'): LogStream {
  let text = '';
  const waiters = new Set<() => void>();
  const logger = createLogger(level, {
    destination: {
      write(chunk: string) {
        text += chunk;
        for (const wake of waiters) wake();
      },
    },
  });
  const lines = () =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  return {
    logger,
    get text() {
      return text;
    },
    lines,
    waitForLine(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines().find(predicate);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching log line in ${timeoutMs} ms; got:\n${text}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
