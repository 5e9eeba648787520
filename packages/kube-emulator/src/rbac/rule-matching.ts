// Whether one PolicyRule allows one request (k8s.io/kubernetes/pkg/apis/rbac/v1 evaluation
// helpers): verbs and apiGroups with `*`; resources with `*`, `resource/subresource` and
// `*/subresource`; resourceNames restricting by object name; nonResourceURLs with `*` and a
// trailing-`*` prefix match.

import type { PolicyRule } from './rbac-objects.js';

export interface RuleRequest {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  name?: string;
  nonResourceURL?: string;
}

const all = '*';

function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((ruleVerb) => ruleVerb === all || ruleVerb === verb);
}

function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((ruleGroup) => ruleGroup === all || ruleGroup === group);
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return rule.resources.some((ruleResource) => {
    if (ruleResource === all || ruleResource === combined) return true;
    if (!subresource) return false;
    return ruleResource === `*/${subresource}`;
  });
}

function resourceNameMatches(rule: PolicyRule, name: string | undefined): boolean {
  if (rule.resourceNames.length === 0) return true;
  return name !== undefined && name.length > 0 && rule.resourceNames.includes(name);
}

function nonResourceUrlMatches(rule: PolicyRule, url: string): boolean {
  return rule.nonResourceURLs.some((ruleUrl) => {
    if (ruleUrl === all || ruleUrl === url) return true;
    return ruleUrl.endsWith(all) && url.startsWith(ruleUrl.slice(0, -1));
  });
}

export function ruleAllows(rule: PolicyRule, request: RuleRequest): boolean {
  if (request.nonResourceURL !== undefined) {
    return verbMatches(rule, request.verb) && nonResourceUrlMatches(rule, request.nonResourceURL);
  }
  return (
    verbMatches(rule, request.verb) &&
    apiGroupMatches(rule, request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    resourceNameMatches(rule, request.name)
  );
}
