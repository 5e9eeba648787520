/**
 * The operator's structured (JSON) logger: pino, with secrets redacted wherever they would appear
 * in a logged object — cloud credentials, STS tokens, bearer tokens, passwords, HTTP
 * Authorization headers — at the top level and up to two levels of nesting.
 */
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

export const REDACTED = '[Redacted]';

/** Keys whose values are never written to a log. */
export const SECRET_KEYS: readonly string[] = [
  'accessKeySecret',
  'AccessKeySecret',
  'access_key_secret',
  'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
  'securityToken',
  'SecurityToken',
  'security_token',
  'ALIBABA_CLOUD_SECURITY_TOKEN',
  'token',
  'Token',
  'bearerToken',
  'authorization',
  'Authorization',
  'password',
  'Password',
];

/** pino redaction paths: each secret key at the top level, one level and two levels down, plus headers. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'req.headers.cookie',
];

export interface LoggerOptions {
  /** Minimum level written; default "info". */
  level?: Level;
  /** Written as the `name` field of every line; default "ecs-role-operator". */
  name?: string;
  /** Where lines go; default stdout. Tests pass a stream to capture output. */
  destination?: DestinationStream;
  /** Fields added to every line (e.g. the pod name). */
  base?: Record<string, string>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'ecs-role-operator',
      level: options.level ?? 'info',
      base: { ...(options.base ?? {}) },
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** The logger for one reconcile pass: every line carries the binding key and the pass id. */
export function reconcileLogger(root: Logger, key: string, reconcileId: string = randomUUID()): Logger {
  return root.child({ binding: key, reconcileId });
}

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Parses a --log-level value; throws a message naming the accepted values. */
export function parseLogLevel(value: string): Level {
  const level = value.toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level as Level;
  throw new Error(`invalid log level "${value}": use one of ${LEVELS.join(', ')}`);
}
