/** Small wording helpers shared by status messages and events. Pure. */

/** "i-a, i-b and 3 more": the first `shown` IDs, then how many were left out. */
export function listIds(ids: readonly string[], shown: number): string {
  const listed = ids.slice(0, shown).join(', ');
  return ids.length > shown ? `${listed} and ${ids.length - shown} more` : listed;
}

/** "1 instance", "3 instances". */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
