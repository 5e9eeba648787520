import { describe, expect, it } from 'vitest';
import { bindingErrorPolicy } from '../../../src/controller/requeue-policy.js';
import type { Failure } from '../../../src/domain/failures.js';

const failure = (cls: Failure['class']): Failure => ({ code: 'X', message: 'x', class: cls, reason: 'CloudError', hint: 'h' });

describe('bindingErrorPolicy', () => {
  it('backs off recoverable failures, waits briefly after a wait, and waits a resync after a terminal failure', () => {
    const policy = bindingErrorPolicy({ waitMs: 5_000, resyncMsOf: (key) => (key === 'ns/slow' ? 600_000 : 300_000) });
    expect(policy(failure('recoverable'), 'ns/a')).toEqual({ kind: 'backoff' });
    expect(policy(failure('wait'), 'ns/a')).toEqual({ kind: 'after', ms: 5_000 });
    expect(policy(failure('terminal'), 'ns/a')).toEqual({ kind: 'after', ms: 300_000 });
    expect(policy(failure('terminal'), 'ns/slow')).toEqual({ kind: 'after', ms: 600_000 });
  });
});
