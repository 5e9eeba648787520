/**
 * Every `ecs-role-operator …` command line in a fenced shell block of README.md, docs/ and the
 * packages' READMEs runs as written after the README's set-up (`export PATH=$PWD/node_modules/.bin:$PATH`
 * at the repository root): the command is found, and it parses. Servers (sandbox, sim, run) must
 * start and stop cleanly on SIGTERM; one-shot commands must not fail with a usage error. Commands
 * that need the real cloud (an audit of cn-hangzhou) cannot succeed here, and are held only to
 * being found and parsed.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, assertOperatorBuilt } from '../../e2e/process-helpers.js';

interface DocumentedCommand {
  file: string;
  line: number;
  command: string;
}

/** Shell lines of fenced ```sh / ```bash / ```console blocks that start with ecs-role-operator. */
export function documentedCommands(files: readonly string[]): DocumentedCommand[] {
  const found: DocumentedCommand[] = [];
  for (const file of files) {
    const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
    let inShell = false;
    for (let i = 0; i < lines.length; i++) {
      const text = lines[i] as string;
      const fence = /^\s*```(\w*)/.exec(text);
      if (fence) {
        inShell = !inShell && ['sh', 'bash', 'shell', 'console'].includes(fence[1] ?? '');
        continue;
      }
      if (!inShell) continue;
      let command = text.trim().replace(/^\$ /, '');
      if (!command.startsWith('ecs-role-operator')) continue;
      const start = i;
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1).trimEnd()} ${(lines[++i] as string).trim()}`;
      found.push({ file, line: start + 1, command: command.replace(/\s+#.*$/, '') });
    }
  }
  return found;
}

const DOCS = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ...readdirSync(join(REPO_ROOT, 'packages')).map((p) => `packages/${p}/README.md`).filter((f) => {
    try {
      readFileSync(join(REPO_ROOT, f));
      return true;
    } catch {
      return false;
    }
  }),
];
const SERVERS = /^ecs-role-operator (sandbox|sim |run\b(?!.*--help))/;
/** What each server prints once it serves. */
const SERVING = /listening on|is running|Press Ctrl-C to stop/;
const USAGE_ERROR = /command not found|: not found|unknown command|unknown option|error: option .* argument .* is invalid|error: missing required argument|too many arguments/i;

function runLine(command: string, serveMs: number, readyLine?: RegExp): Promise<{ code: number | null; output: string; stoppedByUs: boolean }> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', `export PATH="$PWD/node_modules/.bin:$PATH"; exec ${command}`], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let stoppedByUs = false;
    const stop = (): void => {
      if (stoppedByUs) return;
      stoppedByUs = true;
      child.kill('SIGTERM');
    };
    // A server is stopped once it says it serves (not on a clock: a loaded machine starts slowly).
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (readyLine && readyLine.test(output)) stop();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(stop, serveMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stoppedByUs });
    });
  });
}

describe('documented command lines', () => {
  const commands = documentedCommands(DOCS);

  it('finds the documented commands (the extraction itself works)', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    expect(commands.some((c) => c.command.startsWith('ecs-role-operator sim kube'))).toBe(true);
  });

  it.each(commands.map((c) => [`${c.file}:${c.line}`, c] as const))('%s runs as written', { timeout: 60_000 }, async (_where, { command }) => {
    assertOperatorBuilt();
    const server = SERVERS.test(command);
    const result = await runLine(command, 45_000, server ? SERVING : undefined);
    expect(result.output).not.toMatch(USAGE_ERROR);
    if (server) {
      // Still serving when stopped, then a clean exit: it started as documented.
      expect(result.output, 'the server never said it was serving').toMatch(SERVING);
      expect(result.stoppedByUs, result.output).toBe(true);
      expect(result.code, result.output).toBe(0);
    } else {
      expect(result.stoppedByUs, `one-shot command did not finish: ${result.output}`).toBe(false);
      // 127: the shell found no such command (the CLI is not on node_modules/.bin).
      expect(result.code, result.output).not.toBe(127);
    }
  });
});
