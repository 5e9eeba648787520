/**
 * The operator's structured (JSON) logger: pino, with secrets redacted wherever they would appear
 * in a logged object — cloud credentials, STS tokens, bearer tokens, passwords, HTTP
 * Authorization headers. pino's path redaction covers the top level and two levels of nesting;
 * a walk over each logged object (plain objects and arrays, to MAX_SCAN_DEPTH) catches the same
 * keys deeper down.
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

const SECRET_KEY_SET = new Set(SECRET_KEYS);
const MAX_SCAN_DEPTH = 8;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A copy of value with every secret key's value censored; unchanged parts are shared, not copied. */
export function censorSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (depth > MAX_SCAN_DEPTH || value === null || typeof value !== 'object' || seen.has(value)) return value;
  if (Array.isArray(value)) {
    seen.add(value);
    let changed = false;
    const out = value.map((item) => {
      const censored = censorSecrets(item, depth + 1, seen);
      if (censored !== item) changed = true;
      return censored;
    });
    return changed ? out : value;
  }
  if (!isPlainObject(value)) return value;
  seen.add(value);
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const censored = SECRET_KEY_SET.has(key) && item !== undefined ? REDACTED : censorSecrets(item, depth + 1, seen);
    if (censored !== item) {
      out ??= { ...value };
      out[key] = censored;
    }
  }
  return out ?? value;
}

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
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => censorSecrets(object) as Record<string, unknown>,
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

const LEVEL_METHODS: ReadonlySet<string> = new Set<Level>(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
const discard = (): void => undefined;

/**
 * The logger for one reconcile pass: every line carries the binding key and the pass id.
 *
 * The pino child is made on first use, not per pass: making one serializes (and, with redaction
 * paths, copies) its bindings, and most passes write no line at the configured level. A call at a
 * level that is off goes nowhere without making it.
 */
export function reconcileLogger(root: Logger, key: string, reconcileId: string = randomUUID()): Logger {
  let child: Logger | undefined;
  const made = (): Logger => (child ??= root.child({ binding: key, reconcileId }));
  return new Proxy(root, {
    get(target, prop) {
      if (child === undefined && typeof prop === 'string' && LEVEL_METHODS.has(prop) && !target.isLevelEnabled(prop)) return discard;
      const logger = made();
      const value: unknown = Reflect.get(logger, prop, logger);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(logger) : value;
    },
    set(_target, prop, value) {
      return Reflect.set(made(), prop, value);
    },
  });
}

const LEVELS: readonly Level[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Parses a --log-level value; throws a message naming the accepted values. */
export function parseLogLevel(value: string): Level {
  const level = value.toLowerCase();
  if ((LEVELS as readonly string[]).includes(level)) return level as Level;
  throw new Error(`invalid log level "${value}": use one of ${LEVELS.join(', ')}`);
}
