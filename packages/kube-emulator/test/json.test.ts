import { describe, expect, it } from 'vitest';
import { type JsonObject, deepClone } from '../src/json.js';

describe('deepClone', () => {
  it('copies every level of a JSON value, sharing nothing with the original', () => {
    const original: JsonObject = { a: 1, s: 'x', n: null, t: true, list: [1, { b: [2, 3] }], nested: { c: { d: 'e' } } };
    const copy = deepClone(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy['list']).not.toBe(original['list']);
    expect((copy['list'] as JsonObject[])[1]).not.toBe((original['list'] as JsonObject[])[1]);
    expect((copy['nested'] as JsonObject)['c']).not.toBe((original['nested'] as JsonObject)['c']);
    ((copy['nested'] as JsonObject)['c'] as JsonObject)['d'] = 'changed';
    expect(((original['nested'] as JsonObject)['c'] as JsonObject)['d']).toBe('e');
  });

  it('keeps a "__proto__" key from a request body as an own property, never as the prototype', () => {
    const parsed = JSON.parse('{"metadata":{"__proto__":{"polluted":true},"name":"x"}}') as JsonObject;
    const copy = deepClone(parsed);
    const metadata = copy['metadata'] as JsonObject;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.keys(metadata)).toEqual(['__proto__', 'name']);
    expect((metadata as { polluted?: unknown }).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(parsed));
  });

  it('returns scalars as they are', () => {
    expect(deepClone('s')).toBe('s');
    expect(deepClone(3)).toBe(3);
    expect(deepClone(null)).toBeNull();
  });
});
