import { describe, expect, it } from 'vitest';
import { trustPolicyAllowsEcs } from '../../../src/cloud/trust-policy.js';

const doc = (...statements: object[]) => JSON.stringify({ Version: '1', Statement: statements });
const allowEcs = { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: ['ecs.aliyuncs.com'] } };

describe('trustPolicyAllowsEcs', () => {
  it.each([
    ['an Allow for ecs.aliyuncs.com', doc(allowEcs), true],
    ['a string principal and action list', doc({ Action: ['sts:AssumeRole'], Effect: 'Allow', Principal: { Service: 'ECS.aliyuncs.com' } }), true],
    ['sts:* and *', doc({ ...allowEcs, Action: 'sts:*' }), true],
    ['another service only', doc({ ...allowEcs, Principal: { Service: ['fc.aliyuncs.com'] } }), false],
    ['an account principal only', doc({ ...allowEcs, Principal: { RAM: ['acs:ram::1:root'] } }), false],
    // RAM evaluates an explicit Deny over any Allow; ECS refuses such a role (InvalidRamRole.NotEcsRole).
    ['an Allow and a Deny for ecs.aliyuncs.com', doc(allowEcs, { ...allowEcs, Effect: 'Deny' }), false],
    ['a Deny only', doc({ ...allowEcs, Effect: 'Deny' }), false],
    ['a Deny for another service beside the Allow', doc(allowEcs, { ...allowEcs, Effect: 'Deny', Principal: { Service: 'fc.aliyuncs.com' } }), true],
    ['malformed JSON', '{"Statement":', false],
    ['no document', undefined, false],
  ])('%s → %s', (_what, document, expected) => {
    expect(trustPolicyAllowsEcs(document)).toBe(expected);
  });
});
