/**
 * Fan-out measurement shared by the raw ws baseline and the chat scenarios: messages are
 * sent at a fixed rate (open loop), each carrying its index and send time in its content;
 * every subscriber socket reports the frames it receives. Yields publish→receive latency,
 * deliveries/s, loss, duplicates and the server CPU per delivery.
 */
import type { AfterWindow } from './profile-window.ts';
import { cpuMicros, sleep } from './processes.ts';
import { ScenarioFailure } from './scenario.ts';
import { LatencyRecorder } from './stats.ts';
import { integerAfter } from './ws-client.ts';

const MARKER = Buffer.from('"content":"b:');
const ERROR_FRAME = Buffer.from('"type":"error"');

/** Content of message `index`: the receiver finds the index right after MARKER. */
export function fanoutContent(index: number, sentAt: number): string {
  return `b:${index}:${sentAt.toFixed(3)}`;
}

export class FanoutReceiver {
  readonly latencies = new LatencyRecorder();
  /** Send time of every message by index (performance.now()). */
  readonly sentAt: number[] = [];
  /** Channel of every message by index. */
  readonly channelOfMessage: number[] = [];
  /**
   * Which of its channel's subscribers received message `index` (by their slot in the channel).
   * A set, not a last-seen index: concurrent sends may be stored, and so delivered, in another
   * order than they were sent, which is not a duplicate.
   */
  private readonly seenBy: Uint8Array[] = [];
  /** Position of every subscriber among its channel's subscribers. */
  private readonly slot: Uint32Array;
  private readonly sizeOfChannel: number[] = [];
  private readonly receivedBy: Uint32Array;
  measureFrom = Number.POSITIVE_INFINITY;
  delivered = 0;
  /** Deliveries of every phase (probe, warm-up, measured). */
  deliveredTotal = 0;
  duplicates = 0;
  errorFrames = 0;
  unexpectedCloses = 0;
  lastDeliveryAt = 0;

  /** Latency per subscriber group (see the constructor), measured window only. */
  readonly groupLatencies: LatencyRecorder[];

  /**
   * `channelOfSubscriber[i]`: the channel subscriber i listens to; `groupOfSubscriber[i]`
   * (optional): a group whose latency is also recorded on its own (e.g. which instance it is on).
   */
  constructor(
    readonly channelOfSubscriber: readonly number[],
    private readonly groupOfSubscriber?: readonly number[],
  ) {
    this.slot = new Uint32Array(channelOfSubscriber.length);
    channelOfSubscriber.forEach((channel, i) => {
      this.slot[i] = this.sizeOfChannel[channel] ?? 0;
      this.sizeOfChannel[channel] = this.slot[i]! + 1;
    });
    this.receivedBy = new Uint32Array(channelOfSubscriber.length);
    const groups = groupOfSubscriber ? Math.max(...groupOfSubscriber) + 1 : 0;
    this.groupLatencies = Array.from({ length: groups }, () => new LatencyRecorder());
  }

  get subscriberCount(): number {
    return this.channelOfSubscriber.length;
  }

  onFrame(subscriber: number, data: Buffer): void {
    const index = integerAfter(data, MARKER);
    if (index < 0) {
      if (data.indexOf(ERROR_FRAME) >= 0) this.errorFrames += 1;
      return;
    }
    const now = performance.now();
    this.deliveredTotal += 1;
    this.receivedBy[subscriber]! += 1;
    const channel = this.channelOfMessage[index];
    if (channel === undefined) return;
    this.seenBy[index] ??= new Uint8Array(this.sizeOfChannel[channel] ?? 0);
    const seen = this.seenBy[index]!;
    if (seen[this.slot[subscriber]!]) {
      this.duplicates += 1;
      return;
    }
    seen[this.slot[subscriber]!] = 1;
    if (index < this.measureFrom) return;
    this.delivered += 1;
    this.lastDeliveryAt = now;
    const latency = now - this.sentAt[index]!;
    this.latencies.record(latency);
    if (this.groupOfSubscriber) this.groupLatencies[this.groupOfSubscriber[subscriber]!]!.record(latency);
  }

  /** Subscribers that have not received anything yet. */
  silentSubscribers(): number[] {
    const silent: number[] = [];
    for (let i = 0; i < this.receivedBy.length; i++) if (this.receivedBy[i] === 0) silent.push(i);
    return silent;
  }

  /** Deliveries each message should produce. */
  channelSizes(channels: number): Uint32Array {
    const sizes = new Uint32Array(channels);
    for (const channel of this.channelOfSubscriber) sizes[channel]! += 1;
    return sizes;
  }
}

export interface FanoutPlan {
  channels: number;
  /** Sends `content` to `channel` through the system under test; resolves false on failure. */
  send(channel: number, content: string): Promise<boolean>;
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  /** Server processes whose CPU time is charged to the deliveries. */
  serverPids: number[];
  /** Longest wait for stragglers after the last send (default 10 s). */
  drainTimeoutMs?: number;
  /**
   * A further paced period after the measured window, bracketed by `start`/`stop` (e.g. a CPU
   * profile, so profiling never slows the measured window); its deliveries are `deliveredAfter`.
   */
  afterWindow?: AfterWindow;
}

export interface FanoutResult {
  sent: number;
  /** Sends that failed or were refused, in any phase (probe, warm-up, window). */
  sendErrors: number;
  expected: number;
  delivered: number;
  /** Expected deliveries that never arrived (plus sockets closed under us). */
  lost: number;
  duplicates: number;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  /** Server CPU time per delivery, µs. */
  cpuPerDeliveryUs: number;
  /** Server CPU use during the window, share of one core. */
  serverCpuShare: number;
  /** Deliveries during `afterWindow` (0 without one). */
  deliveredAfter: number;
}

/**
 * Probes until every subscriber is live, warms up, then measures one window and waits
 * for the deliveries it should produce.
 */
export async function runFanout(receiver: FanoutReceiver, plan: FanoutPlan): Promise<FanoutResult> {
  const sizes = receiver.channelSizes(plan.channels);
  let sendErrors = 0;
  const sendOne = (channel: number): Promise<void> => {
    const index = receiver.sentAt.length;
    const sentAt = performance.now();
    receiver.sentAt.push(sentAt);
    receiver.channelOfMessage.push(channel);
    return plan.send(channel, fanoutContent(index, sentAt)).then(
      (ok) => {
        if (!ok) sendErrors += 1;
      },
      () => {
        sendErrors += 1;
      },
    );
  };

  await probeUntilLive(receiver, sendOne, () => sendErrors);
  let nextChannel = 0;
  const paced = async (durationMs: number) => {
    const count = Math.max(1, Math.round((plan.ratePerSecond * durationMs) / 1000));
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let k = 0; k < count; k++) {
      const due = start + (k * 1000) / plan.ratePerSecond;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      inFlight.push(sendOne(nextChannel));
      nextChannel = (nextChannel + 1) % plan.channels;
    }
    await Promise.all(inFlight);
    return count;
  };

  const expectedSince = (from: number) => {
    let total = 0;
    for (let i = from; i < receiver.sentAt.length; i++) total += sizes[receiver.channelOfMessage[i]!]!;
    return total;
  };
  const startCounting = () => {
    receiver.measureFrom = receiver.sentAt.length;
    receiver.latencies.reset();
    for (const group of receiver.groupLatencies) group.reset();
    receiver.delivered = 0;
  };

  startCounting();
  await paced(plan.warmupMs);
  const warmupExpected = expectedSince(receiver.measureFrom);
  await drain(receiver, () => receiver.delivered >= warmupExpected, 5_000);

  startCounting();
  const duplicatesBefore = receiver.duplicates;
  const closesBefore = receiver.unexpectedCloses;
  const cpuBefore = plan.serverPids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  const windowStart = performance.now();
  const sent = await paced(plan.durationMs);
  const expected = expectedSince(receiver.measureFrom);
  await drain(receiver, () => receiver.delivered >= expected, plan.drainTimeoutMs ?? 10_000);
  const cpuAfter = plan.serverPids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
  const windowEnd = Math.max(receiver.lastDeliveryAt, windowStart + 1);
  const { p50, p99 } = receiver.latencies.summary();
  const delivered = receiver.delivered;
  let deliveredAfter = 0;
  if (plan.afterWindow) {
    startCounting();
    await plan.afterWindow.start();
    await paced(plan.afterWindow.durationMs);
    const afterExpected = expectedSince(receiver.measureFrom);
    await drain(receiver, () => receiver.delivered >= afterExpected, plan.drainTimeoutMs ?? 10_000);
    await plan.afterWindow.stop();
    deliveredAfter = receiver.delivered;
  }
  return {
    sent,
    sendErrors,
    expected,
    delivered,
    lost: Math.max(0, expected - delivered) + (receiver.unexpectedCloses - closesBefore),
    duplicates: receiver.duplicates - duplicatesBefore,
    deliveriesPerSecond: delivered / ((windowEnd - windowStart) / 1000),
    p50,
    p99,
    cpuPerDeliveryUs: delivered > 0 ? (cpuAfter - cpuBefore) / delivered : NaN,
    serverCpuShare: (cpuAfter - cpuBefore) / ((windowEnd - windowStart) * 1000),
    deliveredAfter,
  };
}

/** Sends one message to every channel that still has a silent subscriber, until none is left (max 60 s). */
async function probeUntilLive(
  receiver: FanoutReceiver,
  sendOne: (channel: number) => Promise<void>,
  sendErrors: () => number,
): Promise<void> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const silent = receiver.silentSubscribers();
    if (silent.length === 0) return;
    // A refused probe would be retried until the deadline: fail now instead.
    if (sendErrors() > 0) throw new ScenarioFailure(`${sendErrors()} probe sends refused or failed before every subscriber was live`);
    if (performance.now() > deadline) throw new Error(`${silent.length} subscribers never received a probe message`);
    const channels = [...new Set(silent.map((i) => receiver.channelOfSubscriber[i]!))];
    for (let i = 0; i < channels.length; i += 100) await Promise.all(channels.slice(i, i + 100).map(sendOne));
    await sleep(300);
  }
}

async function drain(_receiver: FanoutReceiver, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && performance.now() < deadline) await sleep(10);
}

/**
 * Throws ScenarioFailure when any send was refused or failed, any expected delivery never
 * arrived, a delivery came twice, or a subscriber got an error frame: such a run is a failed
 * scenario, never a figure.
 */
export function assertNothingLost(what: string, result: FanoutResult, receiver: FanoutReceiver, firstSendError?: string): void {
  const problems: string[] = [];
  if (result.sendErrors > 0)
    problems.push(`${result.sendErrors} sends refused or failed${firstSendError ? ` (first: ${firstSendError})` : ''}`);
  if (result.lost > 0) problems.push(`${result.lost} deliveries lost`);
  if (result.duplicates > 0) problems.push(`${result.duplicates} duplicate deliveries`);
  if (receiver.errorFrames > 0) problems.push(`${receiver.errorFrames} error frames`);
  if (problems.length > 0) throw new ScenarioFailure(`${what}: ${problems.join(', ')}`);
}
