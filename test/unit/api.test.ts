import { describe, expect, it } from 'vitest';
import { bindingKey } from '../../src/api/instance-role-binding.js';

describe('bindingKey', () => {
  it('joins namespace and name', () => {
    expect(bindingKey({ namespace: 'platform', name: 'oss-readers' })).toBe('platform/oss-readers');
  });
});
