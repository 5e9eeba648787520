import { actionMatches } from './policy-evaluation.js';
import { conditionHolds } from './policy-conditions.js';
import { parsePolicyDocument } from './policy-document.js';

/**
 * Whether a role's trust policy lets a service (e.g. ecs.aliyuncs.com) call sts:AssumeRole,
 * evaluated the RAM way: some statement naming the service in `Principal.Service` allows it and
 * none denies it (an explicit Deny overrides any Allow). Conditions are evaluated against an
 * empty context, so a conditional Allow does not count and a Deny with a negated condition does.
 * A malformed document trusts nobody.
 */
export function trustsService(document: string, service: string): boolean {
  const parsed = parsePolicyDocument(document, 'trust');
  if ('error' in parsed) return false;
  let allowed = false;
  for (const s of parsed.document.statements) {
    if (!actionMatches(s, 'sts:AssumeRole')) continue;
    if (!(s.principal?.['Service'] ?? []).includes(service)) continue;
    if (!s.conditions.every((c) => conditionHolds(c, {}))) continue;
    if (s.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
