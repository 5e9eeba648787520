// Go regexp (RE2) semantics for OpenAPI `pattern`, through @bufbuild/re2: unanchored search
// like Go's regexp.MatchString, and Go's own syntax-error messages.

import { RE2JS } from '@bufbuild/re2';

export interface GoRegexp {
  readonly source: string;
  /** True when the pattern matches anywhere in `text` (Go's MatchString). */
  matches(text: string): boolean;
}

/** Compiles an RE2 pattern; throws Error with Go's message (`error parsing regexp: ...`). */
export function compileGoRegexp(source: string): GoRegexp {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(source);
  } catch (error) {
    throw new Error(error instanceof Error ? error.message : String(error));
  }
  return { source, matches: (text) => compiled.test(text) };
}
