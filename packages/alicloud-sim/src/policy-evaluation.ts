import { conditionHolds, type RequestContext } from './policy-conditions.js';
import { allowListDocument, type PatternList, type PolicyDocument, type PolicyStatement } from './policy-document.js';
import { wildcardMatches } from './wildcard.js';

/**
 * RAM policy evaluation: a request (action, resource ARN, context) is allowed when some
 * statement allows it and none denies it. An explicit Deny wins over any Allow; no matching
 * statement is an implicit deny. Action names compare case-insensitively; resource ARNs
 * case-sensitively (unconfirmed in the docs: the stricter reading).
 */

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface AuthorizationRequest {
  /** "<service>:<Action>", e.g. "ecs:AttachInstanceRamRole". */
  action: string;
  /** The ARN acted on, e.g. "acs:ecs:cn-hangzhou:1234567890123456:instance/i-1". */
  resource: string;
  context: RequestContext;
}

const ACTION_MATCH = { ignoreCase: true, singleCharacter: true } as const;
const RESOURCE_MATCH = { ignoreCase: false, singleCharacter: true } as const;

function listMatches(list: PatternList, value: string, opts: typeof ACTION_MATCH | typeof RESOURCE_MATCH): boolean {
  const hit = list.patterns.some((p) => wildcardMatches(p, value, opts));
  return list.negated ? !hit : hit;
}

export function actionMatches(statement: PolicyStatement, action: string): boolean {
  return listMatches(statement.actions, action, ACTION_MATCH);
}

function statementApplies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  if (!actionMatches(statement, request.action)) return false;
  if (statement.resources !== null && !listMatches(statement.resources, request.resource, RESOURCE_MATCH)) return false;
  return statement.conditions.every((c) => conditionHolds(c, request.context));
}

export function decide(documents: readonly PolicyDocument[], request: AuthorizationRequest): Decision {
  let allowed = false;
  for (const doc of documents) {
    for (const s of doc.statements) {
      if (!statementApplies(s, request)) continue;
      if (s.effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

function actionGlobs(documents: readonly PolicyDocument[], effect: 'Allow' | 'Deny'): string[] {
  return documents.flatMap((d) => d.statements.filter((s) => s.effect === effect && !s.actions.negated).flatMap((s) => s.actions.patterns));
}

/** A principal's policies: what an access key, a role or an attach-time `Policy` grants. */
export class Permissions {
  readonly documents: readonly PolicyDocument[];

  constructor(documents: readonly PolicyDocument[]) {
    this.documents = documents;
  }

  /** The fleet file's `allow:` shorthand. */
  static allowList(actions: readonly string[]): Permissions {
    return new Permissions(actions.length === 0 ? [] : [allowListDocument(actions)]);
  }

  decide(request: AuthorizationRequest): Decision {
    return decide(this.documents, request);
  }

  /** Whether `action` is allowed on `resource` (default "*": only grants on every resource count). */
  allows(action: string, resource = '*', context: RequestContext = {}): boolean {
    return this.decide({ action, resource, context }) === 'Allow';
  }

  /** Union of two policy sets (a role's own policies plus those attached to it). */
  merge(other: Permissions): Permissions {
    return new Permissions([...this.documents, ...other.documents]);
  }

  /** Action globs of the Allow statements (for snapshots; resources and conditions not shown). */
  get allow(): string[] {
    return actionGlobs(this.documents, 'Allow');
  }

  /** Action globs of the Deny statements (for snapshots). */
  get deny(): string[] {
    return actionGlobs(this.documents, 'Deny');
  }
}
