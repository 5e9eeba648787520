/**
 * Every deliberate difference the conformance suite masks is listed, with its reason, in
 * docs/kube-emulator.md under "Differences from kube-apiserver" (by its id, in backticks).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DELIBERATE_DIFFERENCES } from './deliberate-differences.js';

const DOCS = readFileSync(new URL('../../docs/kube-emulator.md', import.meta.url), 'utf8');
const SECTION = DOCS.slice(DOCS.indexOf('## Differences from kube-apiserver'));

describe('deliberate differences', () => {
  it('has a documented section', () => {
    expect(DOCS).toContain('## Differences from kube-apiserver');
  });

  for (const d of DELIBERATE_DIFFERENCES) {
    it(`lists ${d.id} in docs/kube-emulator.md`, () => {
      expect(SECTION).toContain(`\`${d.id}\``);
    });
  }
});
