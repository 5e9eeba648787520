import { invalidParameter } from './api-error.js';

/**
 * NextToken values: opaque to clients, they encode where the next page starts (launch sequence
 * numbers and offsets), tagged with the listing they belong to so one listing's token is refused
 * by another.
 */

export function encodePageToken(listing: string, position: readonly number[]): string {
  return Buffer.from(`${listing}:${position.join('.')}`).toString('base64url');
}

export function decodePageToken(listing: string, token: string, action: string, arity: number): number[] {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const prefix = `${listing}:`;
  const parts = text.startsWith(prefix) ? text.slice(prefix.length).split('.') : [];
  if (parts.length !== arity || parts.some((p) => !/^\d+$/.test(p))) {
    throw invalidParameter('NextToken', `it is not a token returned by ${action}`);
  }
  return parts.map(Number);
}
