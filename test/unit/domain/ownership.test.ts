import { describe, expect, it } from 'vitest';
import { OwnershipLedger, applyLedgerChanges, holdsRole } from '../../../src/domain/ownership.js';

const a = { key: 'team-a/web', uid: 'uid-a' };
const a2 = { key: 'team-a/web-2', uid: 'uid-a2' };
const b = { key: 'team-b/api', uid: 'uid-b' };

describe('OwnershipLedger', () => {
  it('records holders per instance and instances per binding', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-2', 'WebRole', a);
    ledger.hold('i-1', 'webrole', a2);
    expect(ledger.holding('i-1')).toEqual({ roleName: 'WebRole', holders: [a, a2] });
    expect([...ledger.heldBy('uid-a')]).toEqual([['i-1', 'WebRole'], ['i-2', 'WebRole']]);
    expect([...ledger.heldBy('uid-a2')]).toEqual([['i-1', 'WebRole']]);
    expect(holdsRole(ledger.holding('i-1'), 'WEBROLE')).toBe(true);
  });

  it('replaces every holder when the instance is held with another role', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-1', 'WebRole', a2);
    ledger.hold('i-1', 'ApiRole', b);
    expect(ledger.holding('i-1')).toEqual({ roleName: 'ApiRole', holders: [b] });
    expect(ledger.heldBy('uid-a').size).toBe(0);
    expect(ledger.heldBy('uid-a2').size).toBe(0);
  });

  it('release drops one holder, forget drops the instance', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-1', 'WebRole', a2);
    ledger.release('i-1', 'uid-a');
    expect(ledger.holding('i-1')?.holders).toEqual([a2]);
    ledger.release('i-1', 'uid-a2');
    expect(ledger.holding('i-1')).toBeUndefined();
    ledger.hold('i-2', 'WebRole', a);
    ledger.forget('i-2');
    expect(ledger.holding('i-2')).toBeUndefined();
    expect(ledger.heldBy('uid-a').size).toBe(0);
    expect(ledger.size).toBe(0);
  });

  it('tells listeners which instances changed, and only when something changed', () => {
    const ledger = new OwnershipLedger();
    const dirty: string[][] = [];
    ledger.onDirty((ids) => dirty.push([...ids]));
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-1', 'WebRole', a);
    ledger.release('i-1', 'uid-nobody');
    ledger.release('i-1', 'uid-a');
    ledger.forget('i-1');
    expect(dirty).toEqual([['i-1'], ['i-1']]);
  });

  it('heldBy answers a copy: later changes of the ledger do not show in it', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    const held = ledger.heldBy('uid-a');
    ledger.hold('i-2', 'WebRole', a);
    ledger.release('i-1', 'uid-a');
    expect([...held]).toEqual([['i-1', 'WebRole']]);
    expect([...ledger.heldBy('uid-a')]).toEqual([['i-2', 'WebRole']]);
    expect(ledger.heldBy('uid-nobody').size).toBe(0);
  });

  it('keeps one key per binding uid: the one last given', () => {
    const ledger = new OwnershipLedger();
    const dirty: string[][] = [];
    ledger.onDirty((ids) => dirty.push([...ids]));
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-2', 'WebRole', a);
    const renamed = { key: 'team-a/web-renamed', uid: 'uid-a' };
    ledger.hold('i-1', 'WebRole', renamed);
    expect(ledger.holding('i-1')?.holders).toEqual([renamed]);
    expect(ledger.holding('i-2')?.holders).toEqual([renamed]);
    expect(dirty).toEqual([['i-1'], ['i-2'], ['i-1']]);
  });

  it('loads and lists its entries', () => {
    const ledger = new OwnershipLedger();
    ledger.load([
      ['i-1', { roleName: 'WebRole', holders: [a, b] }],
      ['i-2', { roleName: 'X', holders: [] }],
    ]);
    expect([...ledger.entries()]).toEqual([['i-1', { roleName: 'WebRole', holders: [a, b] }]]);
    expect([...ledger.heldBy('uid-b')]).toEqual([['i-1', 'WebRole']]);
  });

  it('loads an instance listed twice as the last listing says', () => {
    const ledger = new OwnershipLedger();
    ledger.load([
      ['i-1', { roleName: 'WebRole', holders: [a, a] }],
      ['i-1', { roleName: 'ApiRole', holders: [b] }],
    ]);
    expect([...ledger.entries()]).toEqual([['i-1', { roleName: 'ApiRole', holders: [b] }]]);
    expect(ledger.heldBy('uid-a').size).toBe(0);
    expect([...ledger.heldBy('uid-b')]).toEqual([['i-1', 'ApiRole']]);
  });
});

describe('OwnershipLedger: letting go', () => {
  it('releaseAll drops every hold of one binding, retainOnly those of bindings that are gone', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-1', 'WebRole', a2);
    ledger.hold('i-2', 'WebRole', a);
    ledger.hold('i-3', 'ApiRole', b);
    ledger.releaseAll('uid-a');
    expect(ledger.holding('i-1')?.holders).toEqual([a2]);
    expect(ledger.holding('i-2')).toBeUndefined();
    expect(ledger.retainOnly(new Set(['uid-a2']))).toEqual(['uid-b']);
    expect([...ledger.entries()].map(([id]) => id)).toEqual(['i-1']);
  });

  it('forgets a binding whose last instance another role took: retainOnly has nothing of it to drop', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-1', 'WebRole', a);
    ledger.hold('i-1', 'ApiRole', b);
    expect(ledger.heldBy('uid-a').size).toBe(0);
    expect(ledger.retainOnly(new Set())).toEqual(['uid-b']);
    expect(ledger.size).toBe(0);
  });

  it('applyLedgerChanges applies a pass’s changes for one binding and says which instances changed', () => {
    const ledger = new OwnershipLedger();
    ledger.hold('i-2', 'Old', b);
    const changed = applyLedgerChanges(ledger, a, [
      { kind: 'hold', instanceId: 'i-1', roleName: 'WebRole' },
      { kind: 'hold', instanceId: 'i-1', roleName: 'WebRole' },
      { kind: 'forget', instanceId: 'i-2' },
      { kind: 'release', instanceId: 'i-9' },
    ]);
    expect(changed).toEqual(['i-1', 'i-2']);
    expect(ledger.holding('i-1')).toEqual({ roleName: 'WebRole', holders: [a] });
    expect(ledger.holding('i-2')).toBeUndefined();
  });
});
