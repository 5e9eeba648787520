/**
 * Reading a RAM role's trust policy (AssumeRolePolicyDocument). Pure; no I/O.
 *
 * A role can be attached to ECS instances when some statement has Effect "Allow", an Action of
 * "sts:AssumeRole" (a string or in an array; "sts:*" and "*" count too) and a Principal.Service
 * that is, or contains, "ecs.aliyuncs.com". Deny statements are not weighed against allows: RAM
 * trust policies in practice only carry Allow statements, and ECS itself checks the same Allow.
 */
import { ECS_SERVICE_PRINCIPAL } from '../domain/cloud-facts.js';

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function allowsAssumeRole(action: unknown): boolean {
  return asList(action).some((a) => typeof a === 'string' && ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase()));
}

function namesEcsService(principal: unknown): boolean {
  if (principal === null || typeof principal !== 'object') return false;
  const service = (principal as Record<string, unknown>).Service;
  return asList(service).some((s) => typeof s === 'string' && s.toLowerCase() === ECS_SERVICE_PRINCIPAL);
}

/** Whether the policy document (a JSON string) lets ecs.aliyuncs.com assume the role. Malformed JSON: false. */
export function trustPolicyAllowsEcs(document: string | undefined): boolean {
  if (!document) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object') return false;
  return asList((parsed as Record<string, unknown>).Statement).some((statement) => {
    if (statement === null || typeof statement !== 'object') return false;
    const s = statement as Record<string, unknown>;
    return s.Effect === 'Allow' && allowsAssumeRole(s.Action) && namesEcsService(s.Principal);
  });
}
