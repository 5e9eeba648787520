/**
 * The one way RAM role names are compared in this operator. RAM treats role names
 * case-insensitively (GetRole and AttachInstanceRamRole accept any case; ARNs lower-case the name),
 * so `TeamAWorker` and `teamaworker` are the same role everywhere: spec vs observed role, sharing,
 * policies, the audit. The cloud simulator compares the same way.
 */

/** The form two names are equal in. */
export function roleNameKey(name: string): string {
  return name.toLowerCase();
}

export function sameRoleName(a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return roleNameKey(a) === roleNameKey(b);
}

const globCache = new Map<string, RegExp>();

/**
 * Whether a policy's role pattern admits a role name: `*` matches any run of characters
 * (including none), everything else literally, without regard to case.
 */
export function roleNameMatches(pattern: string, name: string): boolean {
  let re = globCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}$`, 'i');
    if (globCache.size > 10_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re.test(name);
}
