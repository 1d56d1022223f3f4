/** Command-line flags of `npm run bench` (see docs/performance.md). */
import { join, resolve } from 'node:path';
import type { Params } from './params.ts';
import { repoRoot } from './processes.ts';

export interface Options {
  mode: Params['mode'];
  only: string[] | null;
  repeats: number | null;
  out: string;
  pin: boolean;
  postgres: boolean;
  /** `--on-disk`: databases wait for the disk (see configureStorage in databases.ts). */
  onDisk: boolean;
  profile: boolean;
  /** Render RESULTS.md and results.json again from this results.json instead of measuring. */
  rerender: string | null;
  /** `--server-env NAME=VALUE` (repeatable): set on every chat server after the scenario's limits. */
  serverEnv: Record<string, string>;
}

export function parseArgs(argv: string[]): Options {
  const options: Options = {
    mode: 'full',
    only: null,
    repeats: null,
    out: join(repoRoot, 'bench'),
    pin: true,
    postgres: true,
    onDisk: false,
    profile: false,
    rerender: null,
    serverEnv: {},
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') options.mode = 'quick';
    else if (arg === '--tiny') options.mode = 'tiny';
    else if (arg === '--only')
      options.only = value()
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg.startsWith('--only='))
      options.only = arg
        .slice(7)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (arg === '--repeats') options.repeats = Number(value());
    else if (arg === '--out') options.out = resolve(value());
    else if (arg === '--no-pin') options.pin = false;
    else if (arg === '--no-postgres') options.postgres = false;
    else if (arg === '--on-disk') options.onDisk = true;
    else if (arg === '--profile') options.profile = true;
    else if (arg === '--rerender') options.rerender = resolve(value());
    else if (arg === '--server-env') {
      const pair = value();
      const at = pair.indexOf('=');
      if (at <= 0 || !/^[A-Z][A-Z0-9_]*$/.test(pair.slice(0, at))) throw new Error(`--server-env needs NAME=VALUE, got ${pair}`);
      options.serverEnv[pair.slice(0, at)] = pair.slice(at + 1);
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (options.repeats !== null && !(Number.isInteger(options.repeats) && options.repeats >= 1 && options.repeats <= 10)) {
    throw new Error('--repeats must be an integer from 1 to 10');
  }
  return options;
}
