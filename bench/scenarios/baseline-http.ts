/** Baseline: node:http hello world under the same closed loop as S1, with its server CPU per request. */
import { runClosedLoop } from '../lib/closed-loop.ts';
import { plainGet } from '../lib/http-client.ts';
import { spawnNode } from '../lib/processes.ts';
import { plainRow, ScenarioFailure, type Scenario } from '../lib/scenario.ts';

export const baselineHttp: Scenario = {
  id: 'B-http',
  title: 'Baseline: node:http hello world (closed loop)',
  baseline: true,
  async run(ctx) {
    const server = spawnNode(ctx.pinning, ['--import', 'tsx', 'bench/baselines/http-hello.ts'], {});
    try {
      const url = (await server.waitFor(/listening on (http:\/\/\S+)/))[1]!;
      const request = plainGet(new URL(url).host, '/');
      const result = await runClosedLoop({
        url,
        serverPid: server.pid,
        concurrency: ctx.params.closedLoop.concurrency,
        warmup: ctx.params.helloWarmup,
        durationMs: ctx.params.closedLoop.durationMs,
        nextRequest: () => request,
        isSuccess: (response) => response.status === 200,
      });
      if (result.errors > 0) throw new ScenarioFailure(`${result.errors} failed requests, first: ${result.firstError}`);
      return {
        'B-http.rps': result.rps,
        'B-http.p50': result.p50,
        'B-http.p99': result.p99,
        'B-http.cpuUs': result.cpuPerRequestUs,
        'B-http.warmupS': result.warmupMs / 1000,
      };
    } finally {
      await server.stop();
    }
  },
  report: (m) => [
    plainRow('requests/s', m('B-http.rps'), 'req/s'),
    plainRow('server CPU per request', m('B-http.cpuUs'), 'µs'),
    plainRow('latency p50', m('B-http.p50'), 'ms'),
    plainRow('latency p99', m('B-http.p99'), 'ms'),
    plainRow('warm-up', m('B-http.warmupS'), 's'),
  ],
};
