/**
 * KubeEventRecorder's queue: Events are written a few at a time in the order recorded, with the
 * time they were recorded at; past the cap new Events are dropped (one warning), and once the
 * queue drains the count of dropped ones is logged.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KubeEventRecorder } from '../../../src/kube/kube-binding-api.js';
import { irb } from '../fakes/bindings.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('KubeEventRecorder', () => {
  it('writes queued Events a few at a time, drops past the cap, and says how many it dropped', async () => {
    const held: Array<() => void> = [];
    const created: Array<{ message: string; firstTimestamp: string }> = [];
    const core = {
      createNamespacedEvent: ({ body }: { body: { message: string; firstTimestamp: Date } }) =>
        new Promise((resolve) =>
          held.push(() => {
            created.push({ message: body.message, firstTimestamp: body.firstTimestamp.toISOString() });
            resolve({ metadata: { name: `e-${created.length}` } });
          }),
        ),
    } as unknown as CoreV1Api;
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    let now = Date.parse('2026-12-02T10:00:00Z');
    const recorder = new KubeEventRecorder(core, logger, 60_000, () => now, 6);
    const binding = irb('web', { instanceIds: ['i-a'] });
    for (let i = 0; i < 12; i++) {
      recorder.record(binding, { type: 'Normal', reason: 'Attached', message: `m${i}` });
      now += 1_000;
    }
    await tick();
    // Four writers: four requests in flight, six queued (the cap), the last two dropped.
    expect(held).toHaveLength(4);
    expect(lines.map((l) => l['msg'])).toEqual(['too many events waiting to be written: new events are dropped until they drain']);

    while (held.length > 0) {
      for (const release of held.splice(0)) release();
      await tick();
    }
    expect(created.map((c) => c.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    // Each Event carries the time it was recorded, not the time it was written.
    expect(created[9]?.firstTimestamp).toBe('2026-12-02T10:00:09.000Z');
    expect(lines.at(-1)).toMatchObject({ msg: 'events dropped while too many waited to be written', dropped: 2 });

    recorder.record(binding, { type: 'Normal', reason: 'Attached', message: 'later' });
    await tick();
    held.splice(0).forEach((release) => release());
    await tick();
    expect(created.at(-1)?.message).toBe('later');
  });

  it('counts a repeat of a recent Event on the Event it made, and remembers at most 4,096 of them', async () => {
    const writes: string[] = [];
    let n = 0;
    const core = {
      createNamespacedEvent: async ({ body }: { body: { message: string } }) => {
        writes.push(`create ${body.message}`);
        return { metadata: { name: `e-${++n}` } };
      },
      patchNamespacedEvent: async ({ name, body }: { name: string; body: { count: number } }) => {
        writes.push(`patch ${name} count=${body.count}`);
        return {};
      },
    } as unknown as CoreV1Api;
    const recorder = new KubeEventRecorder(core, pino({ level: 'silent' }));
    const binding = irb('web', { instanceIds: ['i-a'] });
    const drain = async (): Promise<void> => {
      for (let i = 0; i < 50; i++) await tick();
    };
    recorder.record(binding, { type: 'Normal', reason: 'Attached', message: 'first' });
    await drain();
    recorder.record(binding, { type: 'Normal', reason: 'Attached', message: 'first' });
    await drain();
    expect(writes).toEqual(['create first', 'patch e-1 count=2']);
    // 4,100 other Events push the first out of the memory (4,096, give or take the writers in flight): its next repeat is a new Event.
    for (let i = 0; i < 4_100; i++) recorder.record(binding, { type: 'Normal', reason: 'Attached', message: `other ${i}` });
    while (writes.length < 2 + 4_100) await tick();
    recorder.record(binding, { type: 'Normal', reason: 'Attached', message: 'first' });
    await drain();
    expect(writes.at(-1)).toBe('create first');
  });
});
