import { describe, expect, it } from 'vitest';
import { errorPolicyReasons } from '../../../src/cloud/error-policy.js';
import { CONDITION_REASONS, EVENT_REASONS, REASONS, allReasons, asClause } from '../../../src/domain/reasons.js';

describe('condition reasons', () => {
  it('are stable CamelCase words equal to their keys', () => {
    for (const [key, value] of Object.entries(REASONS)) {
      expect(value).toBe(key);
      expect(value).toMatch(/^[A-Z][A-Za-z]+$/);
    }
    expect(allReasons()).toEqual([...new Set(Object.values(REASONS))].sort());
  });

  it('are each documented with the conditions they appear in, a meaning and a fix', () => {
    expect(Object.keys(CONDITION_REASONS).sort()).toEqual(allReasons());
    for (const [reason, doc] of Object.entries(CONDITION_REASONS)) {
      expect(doc.conditions, reason).toMatch(/Ready|Reconciling|Stalled/);
      expect(doc.meaning.length, reason).toBeGreaterThan(10);
      expect(doc.fix.length, reason).toBeGreaterThan(5);
      expect(doc.fix, reason).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('include every reason of the error table', () => {
    const known = new Set<string>(allReasons());
    for (const reason of errorPolicyReasons()) expect(known.has(reason), reason).toBe(true);
  });
});

describe('event reasons', () => {
  it('are CamelCase, typed Normal or Warning, and say when they are recorded', () => {
    for (const [reason, doc] of Object.entries(EVENT_REASONS)) {
      expect(reason).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(['Normal', 'Warning']).toContain(doc.type);
      expect(doc.when.length, reason).toBeGreaterThan(10);
    }
  });
});

describe('asClause', () => {
  it('turns a fix sentence into a clause that follows a colon', () => {
    expect(asClause('Create it or fix spec.roleName.')).toBe('create it or fix spec.roleName');
    expect(asClause('nothing')).toBe('nothing');
  });
});
