import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barrelExports, installLazyBarrel } from '../../../src/util/lazy-cjs-barrel.js';

const BARREL = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.B = exports.A = exports.AItem = void 0;
var A_1 = require("./A");
Object.defineProperty(exports, "AItem", { enumerable: true, get: function () { return A_1.AItem; } });
var A_2 = require("./A");
Object.defineProperty(exports, "A", { enumerable: true, get: function () { return A_2.A; } });
var B_1 = require("./B");
Object.defineProperty(exports, "B", { enumerable: true, get: function () { return B_1.B; } });
`;

function writeBarrel(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-barrel-'));
  writeFileSync(join(dir, 'model.js'), BARREL);
  writeFileSync(join(dir, 'A.js'), 'globalThis.__loadedA = (globalThis.__loadedA ?? 0) + 1; exports.A = class A {}; exports.AItem = class AItem {};');
  writeFileSync(join(dir, 'B.js'), 'globalThis.__loadedB = (globalThis.__loadedB ?? 0) + 1; exports.B = class B {};');
  return join(dir, 'model.js');
}

const loaded = (name: string) => (globalThis as Record<string, unknown>)[name];

describe('barrelExports', () => {
  it('maps every re-exported name to its file and its name there', () => {
    expect([...barrelExports(BARREL)]).toEqual([
      ['AItem', { file: './A', name: 'AItem' }],
      ['A', { file: './A', name: 'A' }],
      ['B', { file: './B', name: 'B' }],
    ]);
  });
});

describe('installLazyBarrel', () => {
  it('serves every export, loading each file only when one of its names is first used', () => {
    const path = writeBarrel();
    expect(installLazyBarrel(path)).toBe(true);
    const barrel = createRequire(path)(path) as Record<string, { name: string }>;
    expect(Object.keys(barrel).sort()).toEqual(['A', 'AItem', 'B']);
    expect(loaded('__loadedA')).toBeUndefined();
    expect(barrel.A?.name).toBe('A');
    expect(barrel.AItem?.name).toBe('AItem');
    expect(loaded('__loadedA')).toBe(1);
    expect(loaded('__loadedB')).toBeUndefined();
    expect(barrel.B?.name).toBe('B');
    expect(loaded('__loadedB')).toBe(1);
  });

  it('leaves a file of another shape to load as usual', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lazy-barrel-'));
    writeFileSync(join(dir, 'plain.js'), 'exports.x = 1;');
    expect(installLazyBarrel(join(dir, 'plain.js'))).toBe(false);
    expect((createRequire(dir + '/')(join(dir, 'plain.js')) as { x: number }).x).toBe(1);
  });

  it('keeps the SDKs whole: the ECS and RAM model classes the operator builds are there', async () => {
    const { Ecs, Ram } = await import('../../../src/cloud/sdk-modules.js');
    for (const name of ['DescribeInstancesRequest', 'DescribeInstancesRequestTag', 'DescribeInstanceRamRoleRequest', 'AttachInstanceRamRoleRequest', 'DetachInstanceRamRoleRequest'] as const) expect(typeof Ecs[name]).toBe('function');
    expect(typeof Ram.GetRoleRequest).toBe('function');
    expect(typeof Ecs.default).toBe('function');
  });
});
