import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, parseLogLevel, reconcileLogger } from '../../../src/observability/logger.js';

/** A destination that keeps every JSON line written to it. */
function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const raw = () => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('redacts cloud credentials, tokens, passwords and authorization headers wherever they are logged', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    log.info(
      {
        credentials: { accessKeyId: 'LTAI5tVisible', accessKeySecret: 'sk-top-secret-1', securityToken: 'sts-secret-2' },
        sdk: { AccessKeySecret: 'sk-top-secret-3', SecurityToken: 'sts-secret-4' },
        kube: { token: 'bearer-secret-5', authorization: 'Bearer secret-6' },
        db: { password: 'hunter2-secret-7' },
        headers: { authorization: 'Bearer secret-8', 'content-type': 'application/json' },
        request: { headers: { authorization: 'Bearer secret-9' } },
        nested: { deeper: { accessKeySecret: 'sk-secret-10' } },
        token: 'secret-11',
        sdkError: { data: { request: { headers: { Authorization: 'ACS3-HMAC-SHA256 Credential=x,Signature=secret-12' } } } },
        batches: [{ credentials: [{ SecurityToken: 'sts-secret-13' }] }],
      },
      'calling the cloud',
    );
    const raw = out.raw();
    for (let i = 1; i <= 13; i++) expect(raw).not.toMatch(new RegExp(`secret-${i}\\b`));
    expect(raw).not.toContain('hunter2');
    const [line] = out.lines();
    expect(line).toMatchObject({
      msg: 'calling the cloud',
      level: 'info',
      name: 'ecs-role-operator',
      credentials: { accessKeyId: 'LTAI5tVisible', accessKeySecret: REDACTED, securityToken: REDACTED },
      sdk: { AccessKeySecret: REDACTED, SecurityToken: REDACTED },
      kube: { token: REDACTED, authorization: REDACTED },
      db: { password: REDACTED },
      headers: { authorization: REDACTED, 'content-type': 'application/json' },
      request: { headers: { authorization: REDACTED } },
      nested: { deeper: { accessKeySecret: REDACTED } },
      token: REDACTED,
      sdkError: { data: { request: { headers: { Authorization: REDACTED } } } },
      batches: [{ credentials: [{ SecurityToken: REDACTED }] }],
    });
  });

  it('leaves the logged object itself untouched and survives cycles', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream });
    const config: Record<string, unknown> = { a: { b: { c: { d: { password: 'deep-secret' } } } } };
    config.self = config;
    log.info({ config }, 'with a cycle');
    expect(out.raw()).not.toContain('deep-secret');
    expect((config.a as { b: { c: { d: { password: string } } } }).b.c.d.password).toBe('deep-secret');
  });

  it('writes ISO timestamps and level names, and honours the level', () => {
    const out = capture();
    const log = createLogger({ destination: out.stream, level: 'warn', base: { pod: 'p-1' } });
    log.info('hidden');
    log.warn('shown');
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: 'shown', pod: 'p-1' });
    expect(String(lines[0]!.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('reconcileLogger', () => {
  it('tags every line with the binding key and the reconcile id, and still redacts', () => {
    const out = capture();
    const root = createLogger({ destination: out.stream });
    const log = reconcileLogger(root, 'platform/oss-readers', 'r-123');
    log.info({ cloud: { accessKeySecret: 'child-secret' } }, 'attached');
    const generated = reconcileLogger(root, 'platform/other');
    generated.info('observed');
    const [first, second] = out.lines();
    expect(first).toMatchObject({ binding: 'platform/oss-readers', reconcileId: 'r-123', msg: 'attached' });
    expect(out.raw()).not.toContain('child-secret');
    expect(second).toMatchObject({ binding: 'platform/other', msg: 'observed' });
    expect(String(second!.reconcileId)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('makes the pass child only when a line is written at an enabled level, and then keeps its tags', () => {
    const out = capture();
    const root = createLogger({ destination: out.stream, level: 'warn' });
    let children = 0;
    const child = root.child.bind(root);
    root.child = ((...args: Parameters<typeof root.child>) => {
      children++;
      return child(...args);
    }) as typeof root.child;
    const log = reconcileLogger(root, 'platform/quiet', 'r-1');
    log.debug({ n: 1 }, 'reconciled');
    log.info('observed');
    expect(children).toBe(0);
    expect(out.lines()).toEqual([]);
    log.warn('cloud call failed');
    log.error('reconcile failed');
    expect(children).toBe(1);
    expect(out.lines().map((l) => [l.binding, l.reconcileId, l.msg])).toEqual([
      ['platform/quiet', 'r-1', 'cloud call failed'],
      ['platform/quiet', 'r-1', 'reconcile failed'],
    ]);
    expect(log.bindings()).toMatchObject({ binding: 'platform/quiet', reconcileId: 'r-1' });
    expect(log.isLevelEnabled('debug')).toBe(false);
  });
});

describe('parseLogLevel', () => {
  it('accepts pino levels in any case and names the choices otherwise', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(() => parseLogLevel('verbose')).toThrow(/invalid log level "verbose": use one of fatal, error, warn, info, debug, trace/);
  });
});
