import { describe, expect, it } from 'vitest';
import { type Failure, actionFailureText, failureText, invalidSpecFailure, worstFailure } from '../../../src/domain/failures.js';

const failure = (cls: Failure['class'], code: string): Failure => ({ code, message: `${code} happened`, class: cls, reason: 'CloudError', hint: 'Do this.' });

describe('failures', () => {
  it('an invalid spec is terminal, reason InvalidSpec, with the fix', () => {
    expect(invalidSpecFailure('ns/a: invalid spec: x')).toMatchObject({ code: 'InvalidSpec', class: 'terminal', reason: 'InvalidSpec', message: 'ns/a: invalid spec: x' });
  });

  it('the worst failure is terminal over recoverable over wait, the first of a rank', () => {
    const f = (cls: Failure['class'], code: string) => ({ failure: failure(cls, code) });
    expect(worstFailure([f('wait', 'a'), f('recoverable', 'b'), f('recoverable', 'c')])?.failure.code).toBe('b');
    expect(worstFailure([f('recoverable', 'b'), f('terminal', 't'), f('wait', 'w')])?.failure.code).toBe('t');
    expect(worstFailure([])).toBeUndefined();
  });

  it('says what failed, the code, the message and the hint', () => {
    expect(failureText(failure('recoverable', 'Throttling'))).toBe('Throttling happened. Do this.');
    const action = { kind: 'attach' as const, instanceId: 'i-a', roleName: 'R' };
    expect(actionFailureText({ action, failure: failure('wait', 'X'), roleAlreadyGone: false })).toBe('attaching role R on i-a failed: X: X happened. Do this.');
  });
});
