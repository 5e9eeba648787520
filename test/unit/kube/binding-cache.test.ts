import { seededRandom } from '@ecs-role-operator/alicloud-sim';
import { describe, expect, it } from 'vitest';
import type { InstanceRoleBinding } from '../../../src/api/instance-role-binding.js';
import { BindingCache } from '../../../src/kube/binding-cache.js';
import { irb } from '../fakes/bindings.js';

const keysOf = (cache: BindingCache, region: string, ids: string[], except: string): string[] =>
  cache.competitors(region, ids, except).map((v) => v.key).sort();

/** The index entry of one instance, as stored (the cache keeps it private). */
function indexed(cache: BindingCache, region: string, id: string): unknown {
  return (cache as unknown as { byInstance: Map<string, Map<string, unknown>> }).byInstance.get(region)?.get(id);
}

describe('BindingCache competitors', () => {
  it('names the bindings that target one of the instances explicitly, or select in the region', () => {
    const cache = new BindingCache();
    cache.upsert(irb('web', { instanceIds: ['i-1', 'i-2'] }));
    cache.upsert(irb('api', { instanceIds: ['i-2', 'i-3'] }));
    cache.upsert(irb('tagged', { instanceSelector: { tags: { app: 'x' } } }));
    cache.upsert(irb('elsewhere', { regionId: 'cn-beijing', instanceIds: ['i-1'] }));
    expect(keysOf(cache, 'cn-hangzhou', ['i-1'], 'ns/web')).toEqual(['ns/tagged']);
    expect(keysOf(cache, 'cn-hangzhou', ['i-2'], 'ns/web')).toEqual(['ns/api', 'ns/tagged']);
    expect(keysOf(cache, 'cn-hangzhou', ['i-9'], 'ns/tagged')).toEqual([]);
    expect(keysOf(cache, 'cn-beijing', ['i-1'], 'ns/web')).toEqual(['ns/elsewhere']);
  });

  it('follows changed and removed bindings', () => {
    const cache = new BindingCache();
    cache.upsert(irb('web', { instanceIds: ['i-1'] }));
    cache.upsert(irb('api', { instanceIds: ['i-1'] }));
    cache.upsert(irb('api', { instanceIds: ['i-2'] }));
    expect(keysOf(cache, 'cn-hangzhou', ['i-1'], 'ns/x')).toEqual(['ns/web']);
    cache.remove('ns/web');
    cache.remove('ns/absent');
    expect(keysOf(cache, 'cn-hangzhou', ['i-1', 'i-2'], 'ns/x')).toEqual(['ns/api']);
    expect(indexed(cache, 'cn-hangzhou', 'i-1')).toBeUndefined();
  });

  it('keeps one instance wanted by one binding as that binding’s key, by many as a set of them', () => {
    const cache = new BindingCache();
    cache.upsert(irb('web', { instanceIds: ['i-1', 'i-2'] }));
    expect(indexed(cache, 'cn-hangzhou', 'i-1')).toBe('ns/web');
    const many = Array.from({ length: 12 }, (_, i) => `b-${i}`);
    for (const name of many) cache.upsert(irb(name, { instanceIds: ['i-1'] }));
    expect(keysOf(cache, 'cn-hangzhou', ['i-1'], 'ns/web')).toEqual(many.map((n) => `ns/${n}`).sort());
    for (const name of many) cache.remove(`ns/${name}`);
    expect(keysOf(cache, 'cn-hangzhou', ['i-1'], 'ns/x')).toEqual(['ns/web']);
    cache.remove('ns/web');
    expect(indexed(cache, 'cn-hangzhou', 'i-1')).toBeUndefined();
  });

  it('agrees with a scan of every binding over random upserts and removals', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `i-${i}`);
    const names = Array.from({ length: 14 }, (_, i) => `b-${i}`);
    for (let seed = 1; seed <= 30; seed++) {
      const r = seededRandom(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
      const cache = new BindingCache();
      const live = new Map<string, InstanceRoleBinding>();
      for (let step = 0; step < 80; step++) {
        const name = pick(names);
        if (r() < 0.7) {
          const binding = irb(name, {
            regionId: r() < 0.8 ? 'cn-hangzhou' : 'cn-beijing',
            instanceIds: ids.filter(() => r() < 0.4),
            ...(r() < 0.15 ? { instanceSelector: { tags: { app: 'x' } } } : {}),
          });
          cache.upsert(binding);
          live.set(`ns/${name}`, binding);
        } else {
          cache.remove(`ns/${name}`);
          live.delete(`ns/${name}`);
        }
        const asked = ids.filter(() => r() < 0.3);
        const except = `ns/${pick(names)}`;
        const scanned = [...live]
          .filter(([key, b]) => key !== except && b.spec.regionId === 'cn-hangzhou')
          .filter(([, b]) => b.spec.instanceSelector !== undefined || (b.spec.instanceIds ?? []).some((id) => asked.includes(id)))
          .map(([key]) => key)
          .sort();
        expect(keysOf(cache, 'cn-hangzhou', asked, except), `seed ${seed} step ${step}`).toEqual(scanned);
      }
    }
  });
});
