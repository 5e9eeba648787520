import { resolve } from 'node:path';
import type { Command } from 'commander';
import { parsePort } from 'ecs-role-operator';
import { loadFleetFile, sampleFleetPath, startCloudSimulator } from '@ecs-role-operator/alicloud-sim';
import { runUntilSignal } from './run-until-signal.js';

/** `ecs-role-operator sim cloud`: the Alibaba Cloud simulator alone, until SIGINT/SIGTERM. */
export function registerSimCloudCommand(parent: Command): void {
  parent
    .command('cloud')
    .description('run the Alibaba Cloud (ECS + RAM) simulator on loopback')
    .option('--port <port>', 'port to listen on; 0 picks a free port', parsePort('--port'), 0)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--fleet <file>', 'fleet YAML (default: the sample fleet, packages/alicloud-sim/fleets/sample.yaml)')
    .action(async (opts: { port: number; host: string; fleet?: string }) => {
      const fleetPath = resolve(opts.fleet ?? sampleFleetPath());
      const fleet = loadFleetFile(fleetPath);
      const sim = await startCloudSimulator({ fleet, port: opts.port, host: opts.host });
      await runUntilSignal('cloud simulator', () => sim.close(), () =>
        process.stdout.write(`cloud simulator listening on ${sim.endpoint} (fleet ${fleetPath}, ${sim.state.instanceCount()} instances)\n`),
      );
    });
}
