/**
 * The reconciler's writes to a binding (its status, its finalizers) through BindingApi, and its
 * memory of the last status it wrote per binding: fresher than an informer cache that lags, so a
 * pass never plans from a status older than its own previous pass.
 */
import { type InstanceRoleBinding, type InstanceRoleBindingStatus, bindingKey } from '../api/instance-role-binding.js';
import type { BindingApi } from '../kube/binding-api.js';

export class StatusWriter {
  private readonly written = new Map<string, { uid: string | undefined; status: InstanceRoleBindingStatus }>();

  constructor(private readonly api: BindingApi) {}

  /** The status this controller last wrote for this object (same uid), else the object's own. */
  lastStatus(binding: InstanceRoleBinding): InstanceRoleBindingStatus | undefined {
    const mine = this.written.get(bindingKey(binding.metadata));
    if (mine && mine.uid === binding.metadata.uid) return mine.status;
    return binding.status;
  }

  /** Writes the status (status subresource) and remembers it. */
  async writeStatus(binding: InstanceRoleBinding, status: InstanceRoleBindingStatus): Promise<void> {
    const updated = await this.api.patchStatus(binding, status);
    this.written.set(bindingKey(binding.metadata), { uid: binding.metadata.uid, status: updated.status ?? status });
  }

  /** Sets the finalizers (guarded by resourceVersion); the binding object follows the write. */
  async setFinalizers(binding: InstanceRoleBinding, finalizers: string[]): Promise<void> {
    const updated = await this.api.setFinalizers(binding, finalizers);
    binding.metadata.resourceVersion = updated.metadata.resourceVersion;
    binding.metadata.finalizers = updated.metadata.finalizers;
  }

  /** Forgets a binding that is gone. */
  forget(key: string): void {
    this.written.delete(key);
  }
}
