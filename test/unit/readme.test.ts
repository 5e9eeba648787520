import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_STATES } from '../../src/api/instance-role-binding.js';
import { CONDITION_REASONS, EVENT_REASONS, STALLED_EVENT, allReasons } from '../../src/domain/reasons.js';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

/** The Markdown table that follows a heading, as its lines. */
function tableAfter(heading: string): string[] {
  const lines = readme.split('\n');
  const at = lines.findIndex((l) => l.trim() === heading);
  expect(at, `README heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const start = lines.findIndex((l, i) => i > at && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The README's tables, rendered from src/domain/reasons.ts (paste these when a reason changes). */
function conditionReasonTable(): string[] {
  return [
    '| reason | conditions | meaning | fix |',
    '|---|---|---|---|',
    ...Object.entries(CONDITION_REASONS).map(([reason, d]) => `| \`${reason}\` | ${d.conditions} | ${d.meaning} | ${d.fix} |`),
  ];
}

function eventReasonTable(): string[] {
  return [
    '| reason | type | when |',
    '|---|---|---|',
    ...Object.entries(EVENT_REASONS).map(([reason, d]) => `| \`${reason}\` | ${d.type} | ${d.when} |`),
    `| ${STALLED_EVENT.reasons} | ${STALLED_EVENT.type} | ${STALLED_EVENT.when} |`,
  ];
}

describe('README', () => {
  it('opens with the two commands a newcomer needs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^make sandbox\b/m);
    expect(firstBlock).toMatch(/^make test\b/m);
  });

  it('has the condition reasons table of src/domain/reasons.ts', () => {
    expect(tableAfter('#### Condition reasons (and what to do)').join('\n')).toBe(conditionReasonTable().join('\n'));
  });

  it('has the event reasons table of src/domain/reasons.ts', () => {
    expect(tableAfter('#### Events').join('\n')).toBe(eventReasonTable().join('\n'));
  });

  it('documents every condition reason the controller writes', () => {
    const missing = allReasons().filter((r) => !readme.includes(`\`${r}\``));
    expect(missing).toEqual([]);
  });

  it('documents every per-instance state', () => {
    const missing = INSTANCE_STATES.filter((s) => !readme.includes(`| \`${s}\` |`));
    expect(missing).toEqual([]);
  });
});
