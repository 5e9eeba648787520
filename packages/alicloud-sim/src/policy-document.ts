import { Permissions } from './authorization.js';

/**
 * RAM policy documents: trust policies (who may assume a role) and permission policies (what
 * actions are allowed). Only the parts the simulator needs are read: Effect, Action, Principal.
 */

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Principal?: unknown;
}

function asStringList(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Parses a policy document, returning its statements or a reason it is malformed. */
export function parseStatements(document: string): { statements: Statement[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (err) {
    return { error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { error: 'must be a JSON object with a "Statement" array' };
  }
  const statement = (parsed as { Statement?: unknown }).Statement;
  if (!Array.isArray(statement)) return { error: 'must have a "Statement" array' };
  for (const [i, s] of statement.entries()) {
    if (typeof s !== 'object' || s === null) return { error: `Statement[${i}] must be an object` };
    const effect = (s as Statement).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return { error: `Statement[${i}].Effect must be "Allow" or "Deny"` };
    if (asStringList((s as Statement).Action).length === 0) return { error: `Statement[${i}].Action is missing` };
  }
  return { statements: statement as Statement[] };
}

/** A trust policy letting the given services assume the role. */
export function trustPolicyFor(services: readonly string[]): string {
  return JSON.stringify({
    Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: [...services] } }],
    Version: '1',
  });
}

/** Whether some Allow statement lets `service` (e.g. ecs.aliyuncs.com) call sts:AssumeRole. */
export function trustsService(document: string, service: string): boolean {
  const parsed = parseStatements(document);
  if ('error' in parsed) return false;
  return parsed.statements.some((s) => {
    if (s.Effect !== 'Allow') return false;
    if (!asStringList(s.Action).some((a) => a.toLowerCase() === 'sts:assumerole' || a === '*' || a === 'sts:*')) return false;
    const principal = s.Principal;
    if (typeof principal !== 'object' || principal === null) return false;
    return asStringList((principal as { Service?: unknown }).Service).includes(service);
  });
}

/** The permissions a permission policy document grants (Allow and Deny action globs). */
export function permissionsOf(document: string): Permissions | { error: string } {
  const parsed = parseStatements(document);
  if ('error' in parsed) return parsed;
  const allow: string[] = [];
  const deny: string[] = [];
  for (const s of parsed.statements) (s.Effect === 'Allow' ? allow : deny).push(...asStringList(s.Action));
  return new Permissions(allow, deny);
}
