/**
 * The RoleCloud port over a CloudApi: a binding's observation from DescribeInstances by IDs, the
 * selector resolved through ListTagResources (tag-selector.ts), and DescribeInstanceRamRole for
 * each batch as soon as it is described; the role check from GetRole, and attach/detach per
 * role within the API's batch limits, with each instance's answer turned into a typed outcome
 * classified by the error table.
 */
import type { InstanceInfo, Observation } from '../domain/cloud-facts.js';
import type { Failure } from '../domain/failures.js';
import { chunk } from '../util/chunk.js';
import { errorText } from '../util/error-text.js';
import { TaskGroup } from '../util/task-group.js';
import { type CloudApi, CloudError, type InstanceCallResult, MAX_DESCRIBE_ROLE_IDS, MAX_MUTATE_IDS } from './cloud-api.js';
import { ROLE_NOT_ATTACHED_CODE, cloudFailure } from './error-policy.js';
import { type TagSelectorOptions, TagSelectorResolver } from './tag-selector.js';
import type { AttachOutcome, ChangeOptions, DetachOutcome, RoleChange, RoleCheckAnswer, RoleCloud, TargetScope } from './role-cloud.js';

/** An instance's answer: done (with the call's RequestId when the cloud gave one), or its failure. */
type ChangeAnswer = { done: true; requestId: string | undefined } | Failure;

/** The code of a failure that is not the cloud's answer (e.g. a bug in a decorator). */
const INTERNAL_ERROR_CODE = 'InternalError';
/** The code of an instance the answer to a batched call does not mention. */
const NO_RESULT_CODE = 'NoResult';

export class ApiRoleCloud implements RoleCloud {
  private readonly selectors: TagSelectorResolver;

  constructor(
    private readonly api: CloudApi,
    options: TagSelectorOptions = {},
  ) {
    this.selectors = new TagSelectorResolver(api, options);
  }

  /**
   * Roles are read as soon as instances are described, in batches of MAX_DESCRIBE_ROLE_IDS, and
   * each described batch is a part once its roles are read: a large selector's first parts are
   * told while its listing goes on.
   */
  async observe(regionId: string, scope: TargetScope, signal: AbortSignal, onPart?: (part: Observation) => void): Promise<Observation> {
    const { instanceIds, selector } = scope;
    const admit = scope.admit ?? (() => true);
    const instances = new Map<string, InstanceInfo>();
    const observedRoles = new Map<string, string | null>();
    const roleReads = new TaskGroup();
    const readRoles = (described: readonly InstanceInfo[]): void => {
      const part = new Map<string, InstanceInfo>();
      const vpcIds: string[] = [];
      for (const instance of described) {
        if (instances.has(instance.instanceId)) continue;
        instances.set(instance.instanceId, instance);
        part.set(instance.instanceId, instance);
        if (instance.networkType === 'vpc' && admit(instance)) vpcIds.push(instance.instanceId);
      }
      if (part.size === 0) return;
      const reads = chunk(vpcIds, MAX_DESCRIBE_ROLE_IDS).map((ids) => this.api.describeInstanceRamRoles(regionId, ids, { signal }));
      roleReads.add(
        Promise.all(reads).then((answers) => {
          const partRoles = new Map<string, string | null>();
          for (const answer of answers) {
            for (const [id, role] of answer) {
              observedRoles.set(id, role);
              partRoles.set(id, role);
            }
          }
          onPart?.({ targetIds: [...part.keys()].sort(), instances: part, observedRoles: partRoles, observeErrors: new Map() });
        }),
      );
    };
    let selected: InstanceInfo[];
    try {
      [, selected] = await Promise.all([
        instanceIds.length > 0 ? this.api.describeInstances(regionId, { instanceIds: [...instanceIds] }, { signal }).then(readRoles) : undefined,
        selector ? this.selectors.resolve(regionId, selector, signal, readRoles) : [],
      ]);
    } catch (err) {
      // The reads already started end before the failure is reported.
      await roleReads.done().catch(() => undefined);
      throw err;
    }
    await roleReads.done();
    const targetIds = [...new Set([...instanceIds, ...selected.map((i) => i.instanceId)])].sort();
    return { targetIds, instances, observedRoles, observeErrors: new Map() };
  }

  async checkRole(roleName: string, signal: AbortSignal): Promise<RoleCheckAnswer> {
    const info = await this.api.getRole(roleName, { signal });
    return info ? { exists: true, trustsEcs: info.trustsEcs } : { exists: false, trustsEcs: false };
  }

  async attach(regionId: string, changes: readonly RoleChange[], signal: AbortSignal, options: ChangeOptions = {}): Promise<Map<string, AttachOutcome>> {
    const urgent = options.urgent === true;
    const answers = await this.change(changes, signal, 'attach', (role, ids) => this.api.attachInstanceRamRole(regionId, role, ids, { signal, urgent }));
    return new Map([...answers].map(([id, answer]): [string, AttachOutcome] => [id, 'done' in answer ? { kind: 'attached', ...requestIdOf(answer) } : { kind: 'failed', failure: answer }]));
  }

  async detach(regionId: string, changes: readonly RoleChange[], signal: AbortSignal): Promise<Map<string, DetachOutcome>> {
    const answers = await this.change(changes, signal, 'detach', (role, ids) => this.api.detachInstanceRamRole(regionId, role, ids, { signal }));
    return new Map(
      [...answers].map(([id, answer]): [string, DetachOutcome] => {
        if ('done' in answer) return [id, { kind: 'detached', ...requestIdOf(answer) }];
        return [id, answer.code === ROLE_NOT_ATTACHED_CODE ? { kind: 'notAttached', failure: answer } : { kind: 'failed', failure: answer }];
      }),
    );
  }

  /** One call per role and batch; each instance's answer, or the failure of its whole call. */
  private async change(
    changes: readonly RoleChange[],
    signal: AbortSignal,
    kind: 'attach' | 'detach',
    call: (roleName: string, ids: string[]) => Promise<InstanceCallResult[]>,
  ): Promise<Map<string, ChangeAnswer>> {
    const byRole = new Map<string, string[]>();
    for (const c of changes) {
      const ids = byRole.get(c.roleName);
      if (ids) ids.push(c.instanceId);
      else byRole.set(c.roleName, [c.instanceId]);
    }
    const answers = new Map<string, ChangeAnswer>();
    const batches = [...byRole].flatMap(([roleName, ids]) => chunk(ids, MAX_MUTATE_IDS).map((batch) => ({ roleName, batch })));
    await Promise.all(
      batches.map(async ({ roleName, batch }) => {
        try {
          const results = new Map((await call(roleName, batch)).map((r) => [r.instanceId, r]));
          for (const id of batch) {
            const r = results.get(id);
            if (r?.success) answers.set(id, { done: true, requestId: r.requestId });
            else answers.set(id, r ? cloudFailure(r.code, r.message) : cloudFailure(NO_RESULT_CODE, `no result for ${id} in the ${kind} response`));
          }
        } catch (err) {
          if (signal.aborted) throw err;
          const failure = err instanceof CloudError ? cloudFailure(err.code, err.cloudMessage, err.statusCode) : cloudFailure(INTERNAL_ERROR_CODE, errorText(err));
          for (const id of batch) answers.set(id, failure);
        }
      }),
    );
    return answers;
  }
}

function requestIdOf(answer: { requestId: string | undefined }): { requestId?: string } {
  return answer.requestId !== undefined ? { requestId: answer.requestId } : {};
}
