/**
 * Cloud credentials for the operator and the audit: the @alicloud/credentials DEFAULT CHAIN, in
 * the library's own order (see reference/alibaba-cloud-api.md, "Credentials"):
 *
 *   1. environment AccessKey  ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (+ _SECURITY_TOKEN)
 *   2. RRSA / OIDC role       ALIBABA_CLOUD_ROLE_ARN + _OIDC_PROVIDER_ARN + _OIDC_TOKEN_FILE
 *   3. Alibaba Cloud CLI profile  ~/.aliyun/config.json (unless ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true)
 *   4. credentials file       ALIBABA_CLOUD_CREDENTIALS_FILE or ~/.alibabacloud/credentials
 *   5. ECS instance role      metadata service (unless ALIBABA_CLOUD_ECS_METADATA_DISABLED=true)
 *   6. credentials URI        ALIBABA_CLOUD_CREDENTIALS_URI
 *
 * Nothing here ever returns or logs a secret: the descriptions name the provider type only.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Credentials as CredentialsModule } from './sdk-modules.js';

/** The @alicloud/credentials client the SDK clients take as `credential`. */
export type CloudCredential = InstanceType<typeof CredentialsModule.default>;

type CredentialsProvider = InstanceType<typeof CredentialsModule.DefaultCredentialsProvider>;

/**
 * The library's default chain, except that it starts afresh after a failed attempt. The library's
 * DefaultCredentialsProvider remembers the last provider it TRIED, even when every provider
 * failed, so after a first "unable to get credentials" every later call goes to that one
 * provider (with an undefined host: "ENOTFOUND undefined") and is retried as a network error
 * forever. Once a provider has served credentials the chain sticks to it, as the library intends.
 */
class RestartingDefaultChain {
  private chain: CredentialsProvider = CredentialsModule.DefaultCredentialsProvider.builder().build();
  private served = false;

  getProviderName(): string {
    return this.chain.getProviderName();
  }

  async getCredentials(): ReturnType<CredentialsProvider['getCredentials']> {
    try {
      const credentials = await this.chain.getCredentials();
      this.served = true;
      return credentials;
    } catch (err) {
      if (this.served) throw err;
      this.chain = CredentialsModule.DefaultCredentialsProvider.builder().build();
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(
        /unable to get credentials/i.test(why)
          ? `${why}. ${NO_CREDENTIALS_FIX}`
          : `unable to get credentials from the default chain: ${why}. ${NO_CREDENTIALS_FIX}`,
      );
    }
  }
}

/** What to do when the default chain finds nothing; part of every such failure's message. */
export const NO_CREDENTIALS_FIX =
  'Give the operator credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (e.g. from the ' +
  'ecs-role-operator-credentials Secret), configure RRSA (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ' +
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE), or run on an instance with a RAM role';

/**
 * A Credential that resolves through the default chain on first use and then sticks to the
 * provider that worked; while nothing works, every attempt tries the whole chain again.
 */
export function createDefaultCredential(): CloudCredential {
  return new CredentialsModule.default(null, new RestartingDefaultChain());
}

/** A Credential over a fixed AccessKey pair (tests, the sandbox, the simulators). */
export function createAccessKeyCredential(accessKeyId: string, accessKeySecret: string): CloudCredential {
  return new CredentialsModule.default(new CredentialsModule.Config({ type: 'access_key', accessKeyId, accessKeySecret }));
}

type Env = Record<string, string | undefined>;

function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.toLowerCase() === 'true';
}

function isSet(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

/**
 * The provider types of the default chain that can apply in this environment, in the order the
 * chain tries them. Decided from environment variables and file existence only: nothing is read,
 * nothing is fetched.
 */
export function candidateCredentialSources(env: Env = process.env, home: string = homedir()): string[] {
  const sources: string[] = [];
  if (isSet(env.ALIBABA_CLOUD_ACCESS_KEY_ID) && isSet(env.ALIBABA_CLOUD_ACCESS_KEY_SECRET)) {
    sources.push(isSet(env.ALIBABA_CLOUD_SECURITY_TOKEN) ? 'environment STS token' : 'environment AccessKey');
  }
  if (isSet(env.ALIBABA_CLOUD_ROLE_ARN) && isSet(env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN) && isSet(env.ALIBABA_CLOUD_OIDC_TOKEN_FILE)) {
    sources.push('RRSA/OIDC role');
  }
  if (!isTrue(env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) && existsSync(join(home, '.aliyun', 'config.json'))) {
    sources.push('Alibaba Cloud CLI profile');
  }
  const credentialsFile = isSet(env.ALIBABA_CLOUD_CREDENTIALS_FILE) ? env.ALIBABA_CLOUD_CREDENTIALS_FILE! : join(home, '.alibabacloud', 'credentials');
  if (existsSync(credentialsFile)) sources.push('credentials file');
  if (!isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) sources.push('ECS instance role');
  if (isSet(env.ALIBABA_CLOUD_CREDENTIALS_URI)) sources.push('credentials URI');
  return sources;
}

/**
 * Names (never reveals) where the default chain will look first, e.g.
 * "default chain: environment AccessKey (then ECS instance role)". Safe to log.
 */
export function describeCredentialSource(env: Env = process.env, home: string = homedir()): string {
  const sources = candidateCredentialSources(env, home);
  if (sources.length === 0) {
    return 'default chain: no provider applies (set ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, RRSA variables, or ALIBABA_CLOUD_CREDENTIALS_URI)';
  }
  const [first, ...rest] = sources;
  return rest.length === 0 ? `default chain: ${first}` : `default chain: ${first} (then ${rest.join(', ')})`;
}

/**
 * The provider that actually served credentials, as the library names it (e.g. "default/env",
 * "default/ecs_ram_role", "static_ak"). Resolves the credential (may make a network call for
 * STS-based providers); returns only the provider name, never a key.
 */
export async function resolvedCredentialSource(credential: CloudCredential): Promise<string> {
  const model = await credential.getCredential();
  return model.providerName ?? model.type ?? 'unknown';
}
