// What the runtime tests share: a minimal device model that reports on a fixed interval and
// remembers what it sampled (so a test can check exactly what reached QuestDB), and runtime
// options with short ticks and backoff so tests wait milliseconds, not seconds.
import type { CommandMessage } from '@fleet/proto';
import type { RuntimeModel, TelemetrySample } from '../src/runtime/contract.ts';
import type { RuntimeOptionsInput } from '../src/runtime/options.ts';

/** A device that reports every `intervalS` and remembers what it sampled. */
export class StubModel implements RuntimeModel {
  readonly kind = 'vehicle' as const;
  readonly samples: number[] = [];
  readonly commands: CommandMessage[] = [];
  readonly intervalS: number;
  /** The nth sample (1-based) gets an impossible speed: the platform refuses that record. */
  readonly badSample: number | undefined;

  constructor(intervalS = 0.1, badSample?: number) {
    this.intervalS = intervalS;
    this.badSample = badSample;
  }
  step(): void {}
  reportIntervalS(): number {
    return this.intervalS;
  }
  sample(nowMs: number): TelemetrySample {
    this.samples.push(nowMs);
    const n = this.samples.length;
    return {
      tsMs: nowMs,
      lat: 60.17 + n * 1e-5,
      lon: 24.94,
      speedKmh: n === this.badSample ? 999 : 30,
      headingDeg: 90,
    };
  }
  drainEvents() {
    return [];
  }
  onCommand(cmd: CommandMessage): string {
    this.commands.push(cmd);
    return `ok ${cmd.id}`;
  }
}

export function fastRuntimeOptions(
  url: string,
  extra: Partial<RuntimeOptionsInput> = {},
): RuntimeOptionsInput {
  return {
    url,
    tickMs: 20,
    visitTicks: 1,
    minReportIntervalS: 0.05,
    keepaliveS: 30,
    backoff: { initialMs: 100, maxMs: 400, multiplier: 2, jitter: 0.5 },
    stableAfterMs: 0,
    ...extra,
  };
}
