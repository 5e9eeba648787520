import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, csvField, formatCsv } from '../../../src/audit/format-csv.js';
import { formatJson } from '../../../src/audit/format-json.js';
import { alignColumns, formatTable } from '../../../src/audit/format-table.js';
import { formatReport, isOutputFormat } from '../../../src/audit/formats.js';
import type { AuditPolicy } from '../../../src/audit/model.js';
import { auditTenancy } from '../../../src/audit/tenancy-records.js';
import { computeAudit } from '../../../src/audit/verdicts.js';
import { normalizePolicy } from '../../../src/domain/tenancy.js';
import { binding, classic, input, region, role, vpc } from './fixtures.js';

/** A report with one instance of every verdict, an untrusted and a missing role, an invalid binding, tenancy. */
function everyVerdictReport() {
  const bindings = [
    binding('ns/web', { roleName: 'Web', instanceIds: ['i-sync', 'i-drift', 'i-gone', 'i-classic'] }),
    binding('ns/a', { roleName: 'Web', instanceIds: ['i-conflict'] }, { created: '2026-01-01T00:00:00Z' }),
    binding('ns/b', { roleName: 'Other', instanceIds: ['i-conflict'] }, { created: '2026-02-01T00:00:00Z' }),
    binding('ns/ghost', { roleName: 'Ghost', instanceIds: ['i-ghost'] }),
    binding('ns/watch', { roleName: 'Web', mode: 'Observe', instanceIds: ['i-watched'] }),
    binding('guest/intruder', { roleName: 'Web', instanceIds: ['i-guarded'] }),
  ];
  const policies: AuditPolicy[] = [
    { name: 'ns-any', source: 'policies.yaml', checked: { view: normalizePolicy('ns-any', { namespaces: ['ns'], roles: ['*'] }) } },
    { name: 'broken', source: 'policies.yaml', checked: { invalid: 'spec.roles is empty' } },
  ];
  return computeAudit({
    ...input(
      [
        region([
          [vpc('i-sync'), 'Web'],
          [vpc('i-drift'), null],
          [vpc('i-stray'), 'Stray'],
          [vpc('i-conflict'), 'Web'],
          [classic('i-classic'), null],
          [vpc('i-ghost'), null],
          [vpc('i-watched'), 'Stray'],
          [vpc('i-guarded'), 'Stray'],
        ]),
      ],
      bindings,
      [role('Web'), role('Other'), role('Stray', false), ['Ghost', null]],
    ),
    invalidBindings: [{ key: 'ns/bad', source: 'bad.yaml', message: 'spec.roleName "a b" must be 1-64 letters, digits, \'.\' or \'-\'' }],
    tenancy: auditTenancy('enforce', policies, []),
  });
}

/** Minimal RFC 4180 reader for checking the writer. */
function readCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('audit output formats', () => {
  const report = everyVerdictReport();

  it('the fixture holds every verdict', () => {
    expect(report.totals).toEqual({ InSync: 1, Drifted: 2, Unmanaged: 1, Conflict: 1, Missing: 1, NotVpc: 1, Observed: 1, NotPermitted: 1 });
  });

  it('table: one aligned row per instance, role totals, problems and a summary line', () => {
    const text = formatTable(report);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^REGION\s+INSTANCE\s+NETWORK\s+ROLE\s+DESIRED\s+BINDINGS\s+POLICY\s+VERDICT\s+DETAIL$/);
    const verdictColumn = lines[0]!.indexOf('VERDICT');
    const rows = lines.slice(1, 1 + report.instances.length);
    expect(rows.map((l) => l.slice(verdictColumn).split(/\s+/)[0])).toEqual(report.instances.map((r) => r.verdict));
    const missing = rows.find((l) => l.includes('i-gone'))!;
    expect(missing.split(/\s{2,}/).slice(0, 8)).toEqual(['cn-hangzhou', 'i-gone', '-', '-', 'Web', 'ns/web', 'ns-any', 'Missing']);
    const guarded = rows.find((l) => l.includes('i-guarded'))!;
    expect(guarded.split(/\s{2,}/).slice(0, 8)).toEqual(['cn-hangzhou', 'i-guarded', 'vpc', 'Stray', '-', 'guest/intruder', 'NotPermitted', 'NotPermitted']);
    expect(text).toMatch(/^POLICY\s+VALID\s+BINDINGS\s+INSTANCES\s+SOURCE$/m);
    expect(text).toMatch(/^broken\s+no: spec\.roles is empty\s+0\s+0\s+policies\.yaml$/m);
    expect(text).toMatch(/^ns-any\s+yes\s+5\s+7\s+policies\.yaml$/m);
    expect(text).toContain('Bindings no InstanceRolePolicy permits (the operator acts on none of them):\n  guest/intruder in test: no InstanceRolePolicy selects namespace guest');
    expect(text).toMatch(/^ROLE\s+EXISTS\s+TRUSTS-ECS\s+ATTACHED\s+DESIRED\s+IN-SYNC\s+DRIFTED\s+UNMANAGED\s+BINDINGS$/m);
    expect(text).toMatch(/^Stray\s+yes\s+no\s+3\s+0\s+0\s+0\s+1\s+-$/m);
    expect(text).toMatch(/^Ghost\s+no\s+-\s+0\s+1\s+0\s+1\s+0\s+ns\/ghost$/m);
    expect(text).toContain('Roles whose trust policy does not allow ECS: Stray');
    expect(text).toContain('Roles that do not exist in RAM: Ghost');
    expect(text).toContain('ns/bad in bad.yaml: spec.roleName');
    expect(lines.at(-2)).toBe(
      `9 instances: 1 InSync, 2 Drifted, 1 Unmanaged, 1 Conflict, 1 Missing, 1 NotVpc, 1 Observed, 1 NotPermitted. ${report.findings} findings (Drifted/Conflict/Missing/NotVpc/NotPermitted instances, invalid or not permitted bindings, invalid policies, missing or untrusted roles).`,
    );
  });

  it('table: an in-sync report says so', () => {
    const clean = computeAudit(input([region([[vpc('i-a'), 'Web']])], [binding('ns/web', { roleName: 'Web', instanceIds: ['i-a'] })], [role('Web')]));
    expect(formatTable(clean).trimEnd().split('\n').at(-1)).toBe('1 instances: 1 InSync, 0 Drifted, 0 Unmanaged, 0 Conflict, 0 Missing, 0 NotVpc, 0 Observed, 0 NotPermitted. in sync.');
  });

  it('alignColumns pads every column to its widest cell', () => {
    expect(alignColumns(['A', 'BB'], [['long', 'x'], ['s', 'yyy']])).toEqual(['A     BB', 'long  x', 's     yyy']);
  });

  it('json: the report object itself, round-trippable', () => {
    const parsed = JSON.parse(formatJson(report)) as typeof report;
    expect(parsed).toEqual(report);
    expect(parsed.instances.find((i) => i.instanceId === 'i-conflict')).toMatchObject({ verdict: 'Conflict', claimedBy: ['ns/a', 'ns/b'] });
  });

  it('csv: header plus one row per instance, fields quoted per RFC 4180', () => {
    const rows = readCsv(formatCsv(report));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + report.instances.length);
    const byId = new Map(rows.slice(1).map((r) => [r[1], r]));
    expect(byId.get('i-conflict')).toEqual([
      'cn-hangzhou',
      'i-conflict',
      'vpc',
      'vpc-main',
      'Running',
      'Web',
      'Web',
      'ns/a ns/b',
      'ns-any',
      'Conflict',
      report.instances.find((i) => i.instanceId === 'i-conflict')!.detail,
    ]);
    expect(byId.get('i-gone')?.slice(2, 10)).toEqual(['', '', '', '', 'Web', 'ns/web', 'ns-any', 'Missing']);
  });

  it('csvField quotes only when needed', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' edge')).toBe('" edge"');
  });

  it('formatReport dispatches on the format name', () => {
    expect(isOutputFormat('table')).toBe(true);
    expect(isOutputFormat('yaml')).toBe(false);
    expect(formatReport(report, 'csv')).toBe(formatCsv(report));
    expect(formatReport(report, 'json')).toBe(formatJson(report));
    expect(formatReport(report, 'table')).toBe(formatTable(report));
  });
});
