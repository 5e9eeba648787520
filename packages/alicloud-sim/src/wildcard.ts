/**
 * Wildcard patterns, the one matcher behind RAM action and resource globs, DescribeInstances
 * `InstanceName` and ListTagResources `TagFilter`: `*` matches any run of characters and, where
 * enabled, `?` one character. Everything else is literal.
 */

export interface WildcardOptions {
  /** RAM action names compare case-insensitively; names, tags and ARNs do not. */
  ignoreCase: boolean;
  /** RAM globs take `?`; InstanceName and TagFilter take only `*`. */
  singleCharacter: boolean;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string, opts: WildcardOptions): RegExp {
  const key = `${opts.ignoreCase ? 'i' : 'c'}${opts.singleCharacter ? '?' : '-'}${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    let body = '';
    for (const ch of pattern) {
      if (ch === '*') body += '.*';
      else if (ch === '?' && opts.singleCharacter) body += '.';
      else body += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    }
    re = new RegExp(`^${body}$`, opts.ignoreCase ? 'is' : 's');
    // Patterns come from policies and requests; keep the cache from growing without bound.
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(key, re);
  }
  return re;
}

export function wildcardMatches(pattern: string, text: string, opts: WildcardOptions): boolean {
  if (!pattern.includes('*') && !(opts.singleCharacter && pattern.includes('?'))) {
    return opts.ignoreCase ? pattern.toLowerCase() === text.toLowerCase() : pattern === text;
  }
  return compile(pattern, opts).test(text);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*');
}
