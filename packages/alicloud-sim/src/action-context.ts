import type { Caller } from './authorization.js';
import type { RequestContext } from './policy-conditions.js';
import type { CloudState } from './state.js';

/** What an action handler sees: the business parameters, the verified caller and the state. */
export interface ActionContext {
  params: Readonly<Record<string, string>>;
  caller: Caller;
  state: CloudState;
  requestId: string;
  /** Condition keys of the request, for authorization checks inside the action (ram:PassRole). */
  context: RequestContext;
}

/** Returns the JSON body of a 200 answer (RequestId is added by the gateway) or throws ApiError. */
export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;
