import { describe, expect, it } from 'vitest';
import { classifyCloudError, cloudFailure, errorPolicyReasons, errorPolicyTable } from '../../../src/cloud/error-policy.js';
import type { ErrorClass } from '../../../src/domain/failures.js';
import { CONDITION_REASONS, REASONS } from '../../../src/domain/reasons.js';

describe('classifyCloudError', () => {
  const expected: Array<[string, ErrorClass, string]> = [
    ['Throttling', 'recoverable', 'Throttled'],
    ['Throttling.User', 'recoverable', 'Throttled'],
    ['Throttling.Api', 'recoverable', 'Throttled'],
    ['ServiceUnavailable', 'recoverable', 'CloudServerError'],
    ['InternalError', 'recoverable', 'CloudServerError'],
    ['OperationConflict', 'recoverable', 'OperationConflict'],
    ['ETIMEDOUT', 'recoverable', 'NetworkError'],
    ['ECONNRESET', 'recoverable', 'NetworkError'],
    ['ECONNREFUSED', 'recoverable', 'NetworkError'],
    ['SDK.Timeout', 'recoverable', 'NetworkError'],
    ['ReadTimeout', 'recoverable', 'NetworkError'],
    ['InvalidRamRole.NotFound', 'terminal', 'RoleNotFound'],
    ['InvalidRamRole.NotEcsRole', 'terminal', 'RoleNotTrusted'],
    ['InvalidUser.PassRoleForbidden', 'terminal', 'PassRoleForbidden'],
    ['Forbidden.RAM', 'terminal', 'AccessDenied'],
    ['InvalidAccessKeyId.NotFound', 'terminal', 'InvalidCredentials'],
    ['Forbidden.AccessKeyDisabled', 'terminal', 'InvalidCredentials'],
    ['SignatureDoesNotMatch', 'terminal', 'InvalidCredentials'],
    ['IncompleteSignature', 'terminal', 'InvalidCredentials'],
    ['InvalidNetworkType.MismatchRamRole', 'terminal', 'InstanceNotVpc'],
    ['InvalidInstanceIds.Malformed', 'terminal', 'InvalidSpec'],
    ['InvalidRamRole.AlreadyAttached', 'wait', 'RoleChangedDuringReconcile'],
    ['InvalidRamRole.NotAttached', 'wait', 'RoleChangedDuringReconcile'],
    ['InvalidInstanceId.NotFound', 'wait', 'InstanceVanished'],
  ];
  it.each(expected)('%s is %s (%s)', (code, cls, reason) => {
    const policy = classifyCloudError(code);
    expect(policy.class).toBe(cls);
    expect(policy.reason).toBe(reason);
  });

  it('lets the table win over the HTTP status', () => {
    expect(classifyCloudError('Throttling', 400).class).toBe('recoverable');
    expect(classifyCloudError('InvalidRamRole.NotFound', 404).class).toBe('terminal');
    expect(classifyCloudError('InvalidInstanceId.NotFound', 404).class).toBe('wait');
  });

  it('classifies unknown variants of a known family by the family', () => {
    expect(classifyCloudError('Throttling.Whatever', 400).class).toBe('recoverable');
    expect(classifyCloudError('InvalidAccessKeyId.Strange', 400).reason).toBe('InvalidCredentials');
    expect(classifyCloudError('UND_ERR_SOCKET').reason).toBe('NetworkError');
  });

  it('falls back on the HTTP status for unknown codes', () => {
    expect(classifyCloudError('Mystery', 500)).toMatchObject({ class: 'recoverable', reason: 'CloudServerError' });
    expect(classifyCloudError('Mystery', 503).class).toBe('recoverable');
    expect(classifyCloudError('Mystery', 429)).toMatchObject({ class: 'recoverable', reason: 'Throttled' });
    expect(classifyCloudError('Mystery', 400)).toMatchObject({ class: 'terminal', reason: 'CloudRequestRejected' });
    expect(classifyCloudError('Mystery', 403).class).toBe('terminal');
    expect(classifyCloudError('Mystery', 400).hint).toContain('Mystery');
    expect(classifyCloudError('Mystery')).toMatchObject({ class: 'recoverable', reason: 'CloudError' });
  });

  it('gives every entry a CamelCase reason known to REASONS and a hint', () => {
    const known = new Set<string>(Object.values(REASONS));
    for (const entry of errorPolicyTable()) {
      expect(entry.reason, entry.code).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(entry.hint.length, entry.code).toBeGreaterThan(20);
    }
    for (const reason of errorPolicyReasons()) expect(known.has(reason), reason).toBe(true);
  });

  it('tells the user how to fix the terminal role errors', () => {
    expect(classifyCloudError('InvalidRamRole.NotEcsRole').hint).toContain('ecs.aliyuncs.com');
    expect(classifyCloudError('InvalidUser.PassRoleForbidden').hint).toContain('ram:PassRole');
    expect(classifyCloudError('InvalidRamRole.NotFound').hint).toContain('spec.roleName');
  });

  it("gives a code its reason's fix unless the code says more", () => {
    expect(classifyCloudError('Throttling').hint).toBe(CONDITION_REASONS.Throttled.fix);
    expect(classifyCloudError('InvalidRamRole.NotEcsRole').hint).toBe(CONDITION_REASONS.RoleNotTrusted.fix);
    expect(classifyCloudError('InvalidRamRole.NotAttached').hint).not.toBe(CONDITION_REASONS.RoleChangedDuringReconcile.fix);
  });

  it('builds a failure with the code, the message and the classification', () => {
    expect(cloudFailure('InvalidUser.PassRoleForbidden', 'no', 403)).toEqual({
      code: 'InvalidUser.PassRoleForbidden',
      message: 'no',
      class: 'terminal',
      reason: 'PassRoleForbidden',
      hint: CONDITION_REASONS.PassRoleForbidden.fix,
    });
    expect(cloudFailure('Mystery', 'no', 400)).toMatchObject({ class: 'terminal', reason: 'CloudRequestRejected' });
  });
});
