import { ramQuotaExceeded } from './unconfirmed-behaviour.js';
import type { ApiError } from './api-error.js';

/**
 * RAM quotas of an account (the RAM limits page): roles and custom policies per account, and
 * custom and system policies attached per role. Checked both when a fleet file is loaded and by
 * CreateRole, CreatePolicy and AttachPolicyToRole.
 */

export const RAM_QUOTAS = {
  rolesPerAccount: 1000,
  customPoliciesPerAccount: 1500,
  customPoliciesPerRole: 5,
  systemPoliciesPerRole: 20,
} as const;

export function roleQuotaExceeded(): ApiError {
  return ramQuotaExceeded('LimitExceeded.Role', `The count of roles beyond the current limits: an account holds at most ${RAM_QUOTAS.rolesPerAccount} RAM roles.`);
}

export function policyQuotaExceeded(): ApiError {
  return ramQuotaExceeded('LimitExceeded.Policy', `The count of policies beyond the current limits: an account holds at most ${RAM_QUOTAS.customPoliciesPerAccount} custom policies.`);
}

export function perRoleLimit(policyType: 'Custom' | 'System'): number {
  return policyType === 'Custom' ? RAM_QUOTAS.customPoliciesPerRole : RAM_QUOTAS.systemPoliciesPerRole;
}

export function rolePolicyQuotaExceeded(roleName: string, policyType: 'Custom' | 'System'): ApiError {
  return ramQuotaExceeded(
    'LimitExceeded.Role.Policy',
    `The count of policies attached to role ${roleName} beyond the current limits: at most ${perRoleLimit(policyType)} ${policyType} policies per role.`,
  );
}
