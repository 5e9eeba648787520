// Typed views of rbac.authorization.k8s.io/v1 objects as the emulator stores them (plain JSON).
// Malformed entries are read as empty (a binding with no subjects grants nothing), never thrown.
// Views are cached per object: the store replaces objects on write rather than mutating them.

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace: string;
}

export interface RoleRef {
  kind: string;
  name: string;
}

export interface RoleView {
  name: string;
  namespace: string;
  rules: PolicyRule[];
}

export interface BindingView {
  name: string;
  namespace: string;
  subjects: Subject[];
  roleRef: RoleRef;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}

function metadataOf(object: unknown): { name: string; namespace: string } {
  const metadata = record(record(object)['metadata']);
  return { name: text(metadata['name']), namespace: text(metadata['namespace']) };
}

function readRule(value: unknown): PolicyRule {
  const rule = record(value);
  return {
    verbs: strings(rule['verbs']),
    apiGroups: strings(rule['apiGroups']),
    resources: strings(rule['resources']),
    resourceNames: strings(rule['resourceNames']),
    nonResourceURLs: strings(rule['nonResourceURLs']),
  };
}

// Stored objects are immutable snapshots, so each is read once and its view reused.
const roleViews = new WeakMap<object, RoleView>();
const bindingViews = new WeakMap<object, BindingView>();

function cached<T>(cache: WeakMap<object, T>, object: unknown, read: (object: unknown) => T): T {
  if (typeof object !== 'object' || object === null) return read(object);
  let view = cache.get(object);
  if (view === undefined) {
    view = read(object);
    cache.set(object, view);
  }
  return view;
}

export function readRole(object: unknown): RoleView {
  return cached(roleViews, object, parseRole);
}

export function readBinding(object: unknown): BindingView {
  return cached(bindingViews, object, parseBinding);
}

function parseRole(object: unknown): RoleView {
  const rules = record(object)['rules'];
  return { ...metadataOf(object), rules: Array.isArray(rules) ? rules.map(readRule) : [] };
}

function parseBinding(object: unknown): BindingView {
  const body = record(object);
  const subjects = Array.isArray(body['subjects']) ? body['subjects'] : [];
  const roleRef = record(body['roleRef']);
  return {
    ...metadataOf(object),
    subjects: subjects.map((entry: unknown) => {
      const subject = record(entry);
      return { kind: text(subject['kind']), name: text(subject['name']), namespace: text(subject['namespace']) };
    }),
    roleRef: { kind: text(roleRef['kind']), name: text(roleRef['name']) },
  };
}
