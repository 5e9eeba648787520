/**
 * The reconciler's writes to a binding (its status, its finalizers) through BindingApi, and its
 * memory of the last status it wrote per binding: fresher than an informer cache that lags, so a
 * pass never plans from a status older than its own previous pass. That memory lasts only until
 * the informer delivers the object the write produced (same resourceVersion): from then on the
 * informer's copy is the same status, so the controller holds one copy per binding, not two
 * (except for a status whose instance list was cut to fit: its whole list stays here).
 */
import { type InstanceRoleBinding, type InstanceRoleBindingStatus, bindingKey } from '../api/instance-role-binding.js';
import { listedStatus } from '../domain/status-listing.js';
import type { BindingApi } from '../kube/binding-api.js';
import { StatusTally } from './status-tally.js';

export class StatusWriter {
  /** cut: what was written lists fewer instances than `status` (kept until the next write). */
  private readonly written = new Map<string, { uid: string | undefined; resourceVersion: string | undefined; status: InstanceRoleBindingStatus; cut: boolean }>();

  /** Totals of every binding's last known status (what lastStatus answers), for the gauges. */
  readonly tally = new StatusTally();

  /** @param current the informer's copy of a binding, by key (a write may arrive after its own watch event) */
  constructor(
    private readonly api: BindingApi,
    private readonly current: (key: string) => InstanceRoleBinding | undefined = () => undefined,
  ) {}

  /** The status this controller last wrote for this object (same uid), else the object's own. */
  lastStatus(binding: InstanceRoleBinding): InstanceRoleBindingStatus | undefined {
    const mine = this.written.get(bindingKey(binding.metadata));
    if (mine && mine.uid === binding.metadata.uid) return mine.status;
    return binding.status;
  }

  /**
   * Writes the status (status subresource) and remembers it. A status listing more instances
   * than a binding's status may hold is written cut (domain/status-listing.ts) and remembered
   * whole, for as long as this process lives: the next pass compares against every instance.
   */
  async writeStatus(binding: InstanceRoleBinding, status: InstanceRoleBindingStatus): Promise<void> {
    const listed = listedStatus(status);
    const updated = await this.api.patchStatus(binding, listed);
    const key = bindingKey(binding.metadata);
    const whole = listed === status ? (updated.status ?? status) : status;
    this.written.set(key, { uid: binding.metadata.uid, resourceVersion: updated.metadata?.resourceVersion, status: whole, cut: listed !== status });
    const seen = this.current(key);
    if (seen) this.observed(seen);
  }

  /** The informer saw `binding`: once it carries this controller's last write, that write is no longer kept apart. */
  observed(binding: InstanceRoleBinding): void {
    const key = bindingKey(binding.metadata);
    this.tally.set(key, this.lastStatus(binding));
    const mine = this.written.get(key);
    if (mine && !mine.cut && mine.resourceVersion !== undefined && mine.uid === binding.metadata.uid && mine.resourceVersion === binding.metadata.resourceVersion) this.written.delete(key);
  }

  /** Bindings whose last written status the informer has not delivered yet, or delivered cut. */
  pending(): number {
    return this.written.size;
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
    this.tally.delete(key);
  }
}
