/**
 * Allow-lists of RAM actions ("ecs:Describe*", "ram:PassRole", "*") and the check a caller's
 * permissions must pass. Globs match case-insensitively, as RAM action names do; `*` matches any
 * run of characters and `?` one character.
 */

const compiled = new Map<string, RegExp>();

function globToRegExp(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    const body = glob
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, 'i');
    compiled.set(glob, re);
  }
  return re;
}

export function globMatches(glob: string, action: string): boolean {
  return globToRegExp(glob).test(action);
}

/** What a set of allow and deny globs permits: allowed by some allow glob and by no deny glob. */
export class Permissions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];

  constructor(allow: readonly string[], deny: readonly string[] = []) {
    this.allow = allow;
    this.deny = deny;
  }

  allows(action: string): boolean {
    if (this.deny.some((g) => globMatches(g, action))) return false;
    return this.allow.some((g) => globMatches(g, action));
  }

  /** Union of two permission sets (a role's own allow-list plus its attached policies). */
  merge(other: Permissions): Permissions {
    return new Permissions([...this.allow, ...other.allow], [...this.deny, ...other.deny]);
  }
}

/** Who signed a request, and what they may do. */
export interface Caller {
  /** The AccessKey ID that signed the request (an STS key for role credentials). */
  accessKeyId: string;
  kind: 'accessKey' | 'sts';
  /** For STS credentials: the role and instance they were issued for. */
  roleName?: string;
  instanceId?: string;
  /** Evaluated at call time so that policies attached later take effect. */
  allows(action: string): boolean;
}
