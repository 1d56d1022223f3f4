/**
 * Liveness and readiness over plain HTTP, answered before GraphQL:
 * `/healthz` says the process serves requests; `/readyz` pings each dependency and says
 * whether this instance should receive traffic (503 while any check fails or while stopping).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.ts';
import { sendJson } from './send-json.ts';

/** Resolves when the dependency answers; rejects (or never settles) otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export type CheckOutcome = 'ok' | 'failed' | 'timeout';

export interface HealthOptions {
  /** Named checks run by `/readyz`, all at once (for example `database`, `redis`). */
  checks: Record<string, ReadinessCheck>;
  /** A check that has not answered after this many milliseconds counts as failed (default 2000). */
  timeoutMs?: number;
  /** True once shutdown has begun: `/readyz` then answers 503 `stopping`. */
  stopping: () => boolean;
  logger: Logger;
}

/** Answers the two paths; resolves true once answered, false (at once) for any other path. Rejects only on a bug. */
export type HealthHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** Returns the handler of `/healthz` and `/readyz`. */
export function createHealthEndpoints(options: HealthOptions): HealthHandler {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return true;
    }
    if (path !== '/readyz') return false;
    if (options.stopping()) {
      sendJson(res, 503, { status: 'stopping', checks: {} });
      return true;
    }
    const checks = await runChecks(options, timeoutMs);
    const ready = Object.values(checks).every((outcome) => outcome === 'ok');
    sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks });
    return true;
  };
}

async function runChecks(options: HealthOptions, timeoutMs: number): Promise<Record<string, CheckOutcome>> {
  const entries = await Promise.all(
    Object.entries(options.checks).map(async ([name, check]) => {
      const outcome = await settleWithin(check, timeoutMs);
      if (outcome.result !== 'ok')
        options.logger.warn('readiness check failed', { check: name, outcome: outcome.result, error: outcome.error });
      return [name, outcome.result] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function settleWithin(check: ReadinessCheck, timeoutMs: number): Promise<{ result: CheckOutcome; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ result: CheckOutcome }>((resolve) => {
    timer = setTimeout(() => resolve({ result: 'timeout' }), timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(check)
    .then(
      () => ({ result: 'ok' as const }),
      (error: unknown) => ({ result: 'failed' as const, error: String(error) }),
    );
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
