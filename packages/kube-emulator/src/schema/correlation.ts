// Pairs parts of a new object with the same parts of the old one, as the API server does for
// validation ratcheting and CEL transition rules: object fields by name, items of
// `x-kubernetes-list-type: map` lists by their keys. Items of set and atomic lists have no
// counterpart.

import type { SchemaNode } from './structural.js';

/** Marks "no old value to compare with" (distinct from an old value of null). */
export const noOldValue: unique symbol = Symbol('noOldValue');
export type OldValue = unknown | typeof noOldValue;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqualJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqualJson(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && deepEqualJson(a[key], b[key]));
  }
  return false;
}

export function oldField(old: OldValue, name: string): OldValue {
  if (!isRecord(old) || !(name in old)) return noOldValue;
  return old[name];
}

/**
 * The old list item that corresponds to `item`, or noOldValue. Only items of map lists have
 * one (found by their keys); items of set and atomic lists do not (CorrelatedObject.Index).
 */
export function oldListItem(list: SchemaNode, old: OldValue, item: unknown): OldValue {
  if (list.listType !== 'map' || list.listMapKeys === undefined || !Array.isArray(old) || !isRecord(item)) return noOldValue;
  const keys = list.listMapKeys;
  const match = old.find((candidate) => isRecord(candidate) && keys.every((key) => deepEqualJson(candidate[key], item[key])));
  return match === undefined ? noOldValue : match;
}

/** True when a ratcheting validator may skip this value: it is unchanged from the old object. */
export function isUnchanged(value: unknown, old: OldValue): boolean {
  return old !== noOldValue && deepEqualJson(value, old);
}
