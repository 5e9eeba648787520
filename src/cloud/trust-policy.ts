/**
 * Reading a RAM role's trust policy (AssumeRolePolicyDocument). Pure; no I/O.
 *
 * A role can be attached to ECS instances when some statement has Effect "Allow", an Action of
 * "sts:AssumeRole" (a string or in an array; "sts:*" and "*" count too) and a Principal.Service
 * that is, or contains, "ecs.aliyuncs.com", and no statement with Effect "Deny" names the same
 * action and principal: RAM evaluates policies with an explicit Deny overriding any Allow, and
 * AttachInstanceRamRole refuses such a role with InvalidRamRole.NotEcsRole.
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
  const statements = asList((parsed as Record<string, unknown>).Statement).filter(
    (s): s is Record<string, unknown> => s !== null && typeof s === 'object' && allowsAssumeRole((s as Record<string, unknown>).Action) && namesEcsService((s as Record<string, unknown>).Principal),
  );
  return statements.some((s) => s.Effect === 'Allow') && !statements.some((s) => s.Effect === 'Deny');
}
