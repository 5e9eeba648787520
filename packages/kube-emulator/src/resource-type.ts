/**
 * What the emulator knows about one served resource (one group/version/plural): its kind,
 * scope, names, verbs, subresources, printer columns and, for custom resources, the compiled
 * schema. Built-in kinds and CRD-defined kinds share this description.
 */
import { createHash } from 'node:crypto';
import type { FieldShapes } from './field-shapes.js';
import type { RequestAttributes } from './rbac/index.js';
import type { CompiledSchema } from './schema/index.js';
import type { JsonObject, JsonValue } from './json.js';
import type { FieldError, GroupKind, GroupResource } from './status.js';

export interface PrinterColumn {
  name: string;
  /** OpenAPI type of the cell: string, integer, number, boolean or date. */
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  /** CRD-style JSONPath (`.spec.x`, `.status.conditions[?(@.type=="Ready")].status`). */
  jsonPath?: string;
  /** Computed cell for built-in kinds. */
  cell?: (obj: JsonObject) => JsonValue;
}

/** A subresource other than status (serviceaccounts/token, deployments/scale): listed in discovery. */
export interface SubresourceInfo {
  name: string;
  /** The kind its requests and answers carry (TokenRequest, Scale). */
  group: string;
  version: string;
  kind: string;
  verbs: string[];
}

/** Where the scale subresource reads and writes replicas (a CRD's `subresources.scale`, or a Deployment's). */
export interface ScaleMapping {
  specReplicasPath: string;
  statusReplicasPath: string;
  /** The serialized label selector the Scale reports (`labelSelectorPath`, or a Deployment's spec.selector). */
  selector: (obj: JsonObject) => string | undefined;
}

/** Who is asking, as authentication established it. */
export interface UserInfo {
  name: string;
  groups: string[];
  uid?: string;
  /** Extra attributes (a bound service-account token's `authentication.kubernetes.io/credential-id`). */
  extra?: Record<string, string[]>;
}

/** What an access check asks about: the RBAC authorizer's request attributes. */
export type AccessAttributes = RequestAttributes;

export type Authorizer = (user: UserInfo, attrs: AccessAttributes) => { allowed: boolean; reason: string };

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Objects of every version of one resource live under one key: `group/plural`. */
  storageKey: string;
  hasStatus: boolean;
  /** Stored kinds: the hash discovery lists (of the stored group, version and kind). */
  storageVersionHash?: string;
  /** Subresources besides status; their behavior lives in subresources.ts. */
  subresources?: SubresourceInfo[];
  scale?: ScaleMapping;
  tracksGeneration: boolean;
  /** Custom resources: PUT needs a resourceVersion, strategic merge patch is refused, DELETE returns the object. */
  custom: boolean;
  printerColumns: PrinterColumn[];
  /** The printer columns include Name themselves (Events: last, wide only) instead of it leading. */
  ownNameColumn?: boolean;
  /** The OpenAPI v3 schema of the kind (for /openapi/v3 and `kubectl explain`). */
  openAPISchema: JsonObject;
  /**
   * Built-in kinds: the Go struct (in the generated Go type table) the real server decodes the
   * kind into; writes get the same JSON round trip (unknown fields, zero values, shapes).
   */
  goStruct?: string;
  /** How server-side apply owns the kind's lists and structs (granular or atomic). */
  fieldShapes: FieldShapes;
  /** Compiled structural schema of a custom resource version. */
  schema?: CompiledSchema;
  /** Extra field selectors beyond metadata.name / metadata.namespace. */
  fieldSelectors?: Record<string, (obj: JsonObject) => string | undefined>;
  /** Built-in defaulting (the kind's SetDefaults functions), run on every write after decoding. */
  defaults?: (obj: JsonObject) => void;
  /** Server-computed fields, run on every write after the request's changes. */
  normalize?: (obj: JsonObject, old: JsonObject | undefined) => void;
  /** Built-in validation of a write (field errors become 422 Invalid). */
  validate?: (obj: JsonObject, old: JsonObject | undefined) => FieldError[];
  /** Values the server assigns once a write is valid (Service addresses); refusals are field errors. */
  assign?: (obj: JsonObject, old: JsonObject | undefined) => FieldError[];
  /**
   * When this version's objects live in another version's shape (events.k8s.io/v1 Events are
   * stored as core/v1 Events): conversions into and out of the stored shape.
   */
  storageShape?: { fromStorage: (stored: JsonObject) => JsonObject; toStorage: (obj: JsonObject) => JsonObject };
  /** Kinds that are answered, never stored (access reviews): POST returns this. */
  answerCreate?: (obj: JsonObject, user: UserInfo, authorize: Authorizer) => JsonObject;
}

/** Discovery's storageVersionHash: the first 8 bytes of sha256("group/version/Kind") of how the resource is stored. */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

export function groupVersion(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function groupResource(t: ResourceType): GroupResource {
  return { group: t.group, resource: t.plural };
}

export function groupKind(t: ResourceType): GroupKind {
  return { group: t.group, kind: t.kind };
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first, then others alphabetically. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa && !pb) return -1;
  if (!pa && pb) return 1;
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return (pb[i] ?? 0) - (pa[i] ?? 0);
  return 0;
}

/** Every served resource, indexed for routing and discovery. */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly groupOrder: string[] = [];

  add(t: ResourceType): void {
    this.byPath.set(`${t.group}/${t.version}/${t.plural}`, t);
    if (!this.groupOrder.includes(t.group)) this.groupOrder.push(t.group);
  }

  remove(group: string, version: string, plural: string): void {
    this.byPath.delete(`${group}/${version}/${plural}`);
    if (![...this.byPath.values()].some((t) => t.group === group)) {
      const i = this.groupOrder.indexOf(group);
      if (i >= 0) this.groupOrder.splice(i, 1);
    }
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    for (const t of this.byPath.values()) if (t.group === group && t.version === version && t.kind === kind) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Groups in registration order (core first), each with its versions by priority. */
  groups(): { name: string; versions: string[] }[] {
    return this.groupOrder.map((name) => {
      const versions = [...new Set(this.all().filter((t) => t.group === name).map((t) => t.version))];
      versions.sort(compareKubeVersions);
      return { name, versions };
    });
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.all().some((t) => t.group === group && t.version === version);
  }
}
