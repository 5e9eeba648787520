/** Plain-text tables for the benchmark's report: a title, a header row, aligned columns. */
export type Row = readonly string[];

export function formatTable(title: string, header: Row, rows: readonly Row[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: Row) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
  return [`\n## ${title}\n`, line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n');
}

export const fixed = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(digits));
export const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}x` : '-');

/** "Attach 500, DescribeInstanceRamRole 1000" from counts by action, in a stable order. */
export function byAction(counts: Record<string, number>): string {
  const short: Record<string, string> = {
    AttachInstanceRamRole: 'Attach',
    DetachInstanceRamRole: 'Detach',
    DescribeInstanceRamRole: 'DescRole',
    DescribeInstances: 'DescInst',
    ListTagResources: 'ListTag',
    GetRole: 'GetRole',
  };
  return Object.keys(counts)
    .sort()
    .map((a) => `${short[a] ?? a} ${counts[a]}`)
    .join(', ');
}
