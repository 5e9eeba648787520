/**
 * Runs a scenario against both targets at once and compares what each step showed, after the
 * legitimate differences are normalized away and the deliberate ones (deliberate-differences.ts)
 * are masked. Any other difference is reported with both sides.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DELIBERATE_DIFFERENCES } from './deliberate-differences.js';
import { normalizeSeen, type NormalizeOptions } from './normalize.js';
import { TargetSession, type Json, type Observation } from './session.js';
import type { Targets } from './targets.js';

export interface Scenario extends NormalizeOptions {
  name: string;
  run(session: TargetSession): Promise<void>;
}

export interface Difference {
  step: string;
  emulator: Json | undefined;
  real: Json | undefined;
}

export interface ScenarioComparison {
  scenario: string;
  steps: number;
  differences: Difference[];
  /** Ids of the deliberate differences that changed what was compared in this scenario. */
  masked: string[];
}

function stable(value: Json | undefined): string {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

function prepare(observations: Observation[], opts: NormalizeOptions, masked: Set<string>): Observation[] {
  return observations.map(({ step, seen }) => {
    let value = normalizeSeen(seen, opts);
    for (const d of DELIBERATE_DIFFERENCES) {
      const after = d.mask(step, value);
      if (stable(after) !== stable(value)) masked.add(d.id);
      value = after;
    }
    return { step, seen: value };
  });
}

export async function compareScenario(targets: Targets, scenario: Scenario): Promise<ScenarioComparison> {
  const emulator = new TargetSession(targets.emulator);
  const real = new TargetSession(targets.real);
  try {
    await Promise.all([scenario.run(emulator), scenario.run(real)]);
    const masked = new Set<string>();
    const left = prepare(emulator.observations, scenario, masked);
    const right = prepare(real.observations, scenario, masked);
    dump(scenario.name, left, right);
    const differences: Difference[] = [];
    for (let i = 0; i < Math.max(left.length, right.length); i++) {
      const a = left[i];
      const b = right[i];
      if (a?.step !== b?.step || stable(a?.seen) !== stable(b?.seen)) {
        differences.push({ step: a?.step ?? b?.step ?? `#${i}`, emulator: a?.seen, real: b?.seen });
      }
    }
    return { scenario: scenario.name, steps: left.length, differences, masked: [...masked] };
  } finally {
    emulator.cleanup();
    real.cleanup();
  }
}

/**
 * With CONFORMANCE_DUMP=<dir>, each scenario's compared steps are also written there, one file per
 * target (`<scenario>.emulator.txt`, `<scenario>.real.txt`), for reading with diff.
 */
function dump(name: string, left: Observation[], right: Observation[]): void {
  const dir = process.env['CONFORMANCE_DUMP'];
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
  const text = (obs: Observation[]): string => obs.map((o) => `### ${o.step}\n${stable(o.seen)}\n`).join('');
  writeFileSync(join(dir, `${slug}.emulator.txt`), text(left));
  writeFileSync(join(dir, `${slug}.real.txt`), text(right));
}

/** A readable account of the differences, for a failing assertion. */
export function describeDifferences(comparison: ScenarioComparison): string {
  return comparison.differences
    .map((d) => `--- step: ${d.step}\n[emulator]\n${stable(d.emulator)}\n[real kube-apiserver]\n${stable(d.real)}`)
    .join('\n');
}
