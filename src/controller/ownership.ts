/**
 * Where the reconciler learns which instances a binding holds (or is replacing a role on), the
 * roles it may remove there. Today that is the binding's own last status (previouslyOwnedFrom);
 * an operator-owned ledger can take its place behind the same interface.
 */
import type { InstanceRoleBindingStatus } from '../api/instance-role-binding.js';
import type { BindingView } from '../domain/binding-view.js';
import { previouslyOwnedFrom } from '../domain/planner.js';

export interface OwnershipSource {
  /** instanceId → the role this binding holds, or is replacing, there. */
  owned(binding: BindingView, lastStatus: InstanceRoleBindingStatus | undefined): ReadonlyMap<string, string>;
}

export const ownershipFromStatus: OwnershipSource = {
  owned: (_binding, lastStatus) => previouslyOwnedFrom(lastStatus),
};
