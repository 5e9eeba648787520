import { describe, expect, it } from 'vitest';
import { roleNameKey, roleNameMatches, sameRoleName } from '../../../src/domain/role-names.js';

describe('sameRoleName', () => {
  it('compares without regard to case, as RAM does', () => {
    expect(sameRoleName('TeamAWorker', 'teamaworker')).toBe(true);
    expect(sameRoleName('TeamAWorker', 'TeamBWorker')).toBe(false);
    expect(roleNameKey('EcsRamRole.Doc-1')).toBe('ecsramrole.doc-1');
  });
  it('treats a missing role as equal only to a missing role', () => {
    expect(sameRoleName(null, null)).toBe(true);
    expect(sameRoleName(undefined, undefined)).toBe(true);
    expect(sameRoleName(null, 'R')).toBe(false);
    expect(sameRoleName('R', undefined)).toBe(false);
  });
});

describe('roleNameMatches', () => {
  it.each([
    ['TeamA*', 'TeamAWorker', true],
    ['TeamA*', 'teama', true],
    ['TeamA*', 'TeamBWorker', false],
    ['*Reader', 'OssReader', true],
    ['*Reader', 'OssReaderAdmin', false],
    ['Team*Worker', 'TeamAWorker', true],
    ['Team*Worker', 'TeamWorker', true],
    ['*', 'Anything.At-All', true],
    ['Exact.Role', 'exact.role', true],
    ['Exact.Role', 'ExactXRole', false],
    ['a-b', 'a-b', true],
    ['a-b', 'a_b', false],
  ])('%s admits %s: %s', (pattern, name, expected) => {
    expect(roleNameMatches(pattern, name)).toBe(expected);
  });
});
