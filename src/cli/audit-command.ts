/**
 * `ecs-role-operator audit`: every instance of the region(s) with its role, the bindings that
 * claim it and a verdict; role totals; roles that do not trust ECS. Exit status: 0 in sync,
 * 3 findings (drift, conflicts, missing instances, classic-network claims, invalid bindings,
 * missing or untrusted roles), 1 errors.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadKubeconfig } from '../kube/kubeconfig-loader.js';
import { OUTPUT_FORMATS, type OutputFormat, formatReport, isOutputFormat } from '../audit/formats.js';
import { FINDING_VERDICTS, VERDICTS } from '../audit/model.js';
import { type BindingSource, runAudit } from '../audit/run-audit.js';
import { auditExitCode } from '../audit/verdicts.js';
import { createAlibabaCloudApi } from '../cloud/alibaba-cloud-api.js';
import { type CloudApi, CloudError } from '../cloud/cloud-api.js';
import { type CloudCredential, createDefaultCredential } from '../cloud/credentials.js';
import { classifyCloudError } from '../cloud/error-policy.js';
import { REGION_ID_PATTERN } from '../domain/binding-spec.js';
import type { ConditionReason } from '../domain/reasons.js';
import { errorText } from '../util/error-text.js';
import { parseEndpoint, parsePositiveInt, parseProtocol, parseTenancy } from './options.js';

interface AuditFlags {
  region?: string[];
  kubeconfig?: string;
  manifests?: string;
  output: OutputFormat;
  onlyFindings: boolean;
  ecsEndpoint?: string;
  ramEndpoint?: string;
  protocol: 'http' | 'https';
  concurrency: number;
  tenancy: 'enforce' | 'disabled';
}

/** Where the command writes and which credential it uses; tests inject these. */
export interface AuditCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Default: the @alicloud/credentials default chain. */
  credential?: CloudCredential;
  /** Called with the exit status instead of setting process.exitCode. */
  setExitCode?: (code: number) => void;
}

function collectRegion(value: string, previous: string[] | undefined): string[] {
  if (!REGION_ID_PATTERN.test(value)) throw new InvalidArgumentError(`--region must be a region ID such as cn-hangzhou, got "${value}"`);
  return [...(previous ?? []), value];
}

function parseOutput(value: string): OutputFormat {
  if (!isOutputFormat(value)) throw new InvalidArgumentError(`--output must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}"`);
  return value;
}

const AUDIT_ACTIONS = 'ecs:DescribeInstances, ecs:DescribeInstanceRamRole and ram:GetRole';
/** Hints for the audit's user where the controller's error table speaks to the operator's deployer. */
const AUDIT_HINTS: Readonly<Partial<Record<ConditionReason, string>>> = {
  InvalidCredentials:
    'the audit signs with the @alicloud/credentials default chain: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
    `(or RRSA variables, a CLI profile, a credentials file, an instance role or ALIBABA_CLOUD_CREDENTIALS_URI) for an identity allowed ${AUDIT_ACTIONS}`,
  AccessDenied: `the audit's RAM identity needs ${AUDIT_ACTIONS}`,
};

/** An HTTPS request answered by a plain-HTTP server (OpenSSL's view of an HTTP response). */
const TLS_TO_PLAIN_HTTP = /EPROTO|wrong version number|packet length too long|ssl3_get_record|SSL routines/i;

/** A cloud error with a hint for the person running the audit (not the operator's deployer). */
function explainFailure(err: unknown, protocol: 'http' | 'https'): string {
  if (!(err instanceof CloudError)) return errorText(err);
  if (protocol === 'https' && TLS_TO_PLAIN_HTTP.test(`${err.code} ${err.message}`)) {
    return `${err.message} (the endpoint answers plain HTTP, not HTTPS: pass --protocol http, as for the cloud simulator)`;
  }
  const policy = classifyCloudError(err.code, err.statusCode);
  const hint =
    AUDIT_HINTS[policy.reason] ??
    (policy.class === 'terminal' ? policy.hint : 'a transient cloud error: run the audit again (with a lower --concurrency if the cloud is throttling)');
  return `${err.message} (${hint})`;
}

const defaultIo: AuditCommandIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function registerAuditCommand(program: Command, io: AuditCommandIo = defaultIo): void {
  program
    .command('audit')
    .description(
      'show every instance of the region(s) with its RAM role, the bindings that claim it and a verdict ' +
        `(${VERDICTS.join(', ')}); exit status 0 in sync, 3 findings, 1 errors`,
    )
    .option('--region <id>', 'region to audit; repeat for several (default: every region a binding names)', collectRegion)
    .addOption(new Option('--kubeconfig <file>', 'read bindings from this cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)').conflicts('manifests'))
    .addOption(new Option('--manifests <dir>', 'read bindings from the YAML files under this directory (a GitOps checkout) instead of a cluster'))
    .option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')}`, parseOutput, 'table')
    .option('--only-findings', `list only instances whose verdict is a finding (${[...FINDING_VERDICTS].join(', ')}); totals still count all`, false)
    .option('--ecs-endpoint <host:port>', 'ECS API endpoint (default: ecs.<region>.aliyuncs.com)', parseEndpoint('--ecs-endpoint'))
    .option('--ram-endpoint <host:port>', 'RAM API endpoint (default: ram.aliyuncs.com)', parseEndpoint('--ram-endpoint'))
    .option('--protocol <http|https>', 'protocol for the cloud endpoints', parseProtocol, 'https')
    .option('--concurrency <n>', 'cloud calls in flight at once', parsePositiveInt('--concurrency'), 4)
    .option(
      '--tenancy <enforce|disabled>',
      'enforce: judge bindings by the InstanceRolePolicies (and Namespace labels) of the cluster or the manifest directory, as the operator does; disabled: as for an operator run with --tenancy=disabled',
      parseTenancy,
      'enforce',
    )
    .action(async (flags: AuditFlags) => {
      const bindings: BindingSource = flags.manifests
        ? { kind: 'manifests', dir: flags.manifests }
        : { kind: 'cluster', kubeConfig: loadKubeconfig(flags.kubeconfig !== undefined ? { flag: flags.kubeconfig } : {}).config };
      const cloud: CloudApi = createAlibabaCloudApi({
        ...(flags.ecsEndpoint ? { ecsEndpoint: flags.ecsEndpoint } : {}),
        ...(flags.ramEndpoint ? { ramEndpoint: flags.ramEndpoint } : {}),
        protocol: flags.protocol,
        credential: io.credential ?? createDefaultCredential(),
      });
      let run;
      try {
        run = await runAudit({ regions: flags.region ?? [], bindings, cloud, inventory: { concurrency: flags.concurrency }, tenancy: flags.tenancy });
      } catch (err) {
        throw new Error(`audit failed: ${explainFailure(err, flags.protocol)}`);
      }
      for (const warning of run.warnings) io.stderr.write(`warning: ${warning}\n`);
      const report = flags.onlyFindings
        ? { ...run.report, instances: run.report.instances.filter((i) => FINDING_VERDICTS.has(i.verdict)) }
        : run.report;
      io.stdout.write(formatReport(report, flags.output));
      const code = auditExitCode(run.report);
      if (io.setExitCode) io.setExitCode(code);
      else process.exitCode = code;
    });
}
