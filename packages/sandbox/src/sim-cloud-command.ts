import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadFleetFile, sampleFleetPath, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';


function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

/** `ecs-role-operator sim cloud`: the Alibaba Cloud simulator alone, until SIGINT/SIGTERM. */
export function registerSimCloudCommand(parent: Command): void {
  parent
    .command('cloud')
    .description('run the Alibaba Cloud (ECS + RAM) simulator on loopback')
    .option('--port <port>', 'port to listen on; 0 picks a free port', parsePort, 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--fleet <file>', 'fleet YAML (default: fleets/sample.yaml)')
    .action(async (opts: { port: number; host: string; fleet?: string }) => {
      const fleetPath = resolve(opts.fleet ?? sampleFleetPath());
      const fleet = loadFleetFile(fleetPath);
      const sim = await startCloudSimulator({ fleet, port: opts.port, host: opts.host });
      process.stdout.write(`cloud simulator listening on ${sim.endpoint} (fleet ${fleetPath}, ${sim.state.instanceCount()} instances)\n`);
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals): void => {
          process.stderr.write(`cloud simulator: ${signal} received, closing\n`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          sim.close().then(done, (err: unknown) => {
            process.stderr.write(`cloud simulator: close failed: ${err instanceof Error ? err.message : String(err)}\n`);
            done();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
