/** Records what reaches uncaughtException / unhandledRejection while a test runs. */
import { afterEach, beforeEach } from 'vitest';

export interface ProcessFaults {
  /** Errors seen since the current test began. */
  readonly seen: unknown[];
}

/** Listens for the two process events around each test of the enclosing block. */
export function watchProcessFaults(): ProcessFaults {
  const seen: unknown[] = [];
  const record = (error: unknown) => void seen.push(error);
  beforeEach(() => {
    seen.length = 0;
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  });
  return { seen };
}
