import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTANCE_STATES } from '../../src/api/instance-role-binding.js';
import { allReasons } from '../../src/domain/conditions.js';

const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('opens with the two commands a newcomer needs', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^make sandbox\b/m);
    expect(firstBlock).toMatch(/^make test\b/m);
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
