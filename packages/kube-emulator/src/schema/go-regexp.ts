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
  // RE2JS takes microseconds per test; objects are re-validated with mostly unchanged strings
  // (every status write re-checks the spec), so recent answers are remembered.
  const answers = new Map<string, boolean>();
  return {
    source,
    matches: (text) => {
      let answer = answers.get(text);
      if (answer === undefined) {
        answer = compiled.test(text);
        if (answers.size >= rememberedAnswers) answers.clear();
        answers.set(text, answer);
      }
      return answer;
    },
  };
}

const rememberedAnswers = 4096;

const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/**
 * The same pattern for JavaScript's engine, to extract matched text (RE2JS only answers yes or
 * no): Go's flag group, named groups, one-letter Unicode classes, \A, \z, \Q...\E and POSIX
 * bracket classes are rewritten. Throws for what JavaScript cannot express (the U flag).
 */
export function toJavaScriptRegExp(source: string, global: boolean): RegExp {
  let pattern = source;
  let flags = 'u' + (global ? 'g' : '');
  const flagGroup = /^\(\?([imsU]+)\)/.exec(pattern);
  if (flagGroup) {
    const goFlags = flagGroup[1] ?? '';
    if (goFlags.includes('U')) throw new Error('the U (ungreedy) flag is not supported by find and findAll here');
    flags += goFlags.replace(/U/g, '');
    pattern = pattern.slice(flagGroup[0].length);
  }
  pattern = pattern
    .replace(/\\Q(.*?)(\\E|$)/g, (_m, literal: string) => literal.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .replace(/\(\?P</g, '(?<')
    .replace(/\\([pP])([A-Za-z])/g, '\\$1{$2}')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\[:(\^?)([a-z]+):\]/g, (whole, negated: string, name: string) => {
      const members = posixClasses[name];
      if (members === undefined) return whole;
      return negated ? `[^${members}]` : members;
    });
  return new RegExp(pattern, flags);
}
