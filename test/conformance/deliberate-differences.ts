/**
 * Differences between the emulator and kube-apiserver that are out of scope on purpose, each
 * listed (by its id) with the reason in docs/kube-emulator.md, "Differences from kube-apiserver".
 * Each masks, in what both targets showed, exactly the part that differs for that reason.
 */
import type { Json } from './session.js';

export interface DeliberateDifference {
  /** The id under which docs/kube-emulator.md lists it. */
  id: string;
  summary: string;
  /** What both targets showed at `step`, with this difference's part replaced. */
  mask(step: string, seen: Json): Json;
}

type JsonObject = { [key: string]: Json };

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies `edit` to every object in a JSON value (depth first), returning the rewritten value. */
function everyObject(value: Json, edit: (obj: JsonObject) => JsonObject): Json {
  if (Array.isArray(value)) return value.map((v) => everyObject(v, edit));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = everyObject(v, edit);
  return edit(out);
}

/** Table rows ('a | b | c') with the named columns' cells replaced. */
function maskColumns(rows: Json, columns: string[], placeholder: string): Json {
  if (!Array.isArray(rows) || rows.length === 0 || typeof rows[0] !== 'string') return rows;
  const header = rows[0].split(' | ');
  const indexes = columns.map((c) => header.indexOf(c)).filter((i) => i >= 0);
  if (indexes.length === 0) return rows;
  return rows.map((row, n) => {
    if (n === 0 || typeof row !== 'string') return row;
    const cells = row.split(' | ');
    for (const i of indexes) if (i < cells.length) cells[i] = placeholder;
    return cells.join(' | ');
  });
}

function onStdout(seen: Json, edit: (stdout: Json) => Json): Json {
  if (!isObject(seen) || !('stdout' in seen)) return seen;
  return { ...seen, stdout: edit(seen['stdout'] ?? null) };
}

export const DELIBERATE_DIFFERENCES: DeliberateDifference[] = [
  {
    id: 'server-version',
    summary:
      'The emulator reports v1.32.0-ecs-role-operator-emulator in /version (so the kubectl dispatcher runs kubectl 1.32 against it) and no real commit, build date or Go version; kubectl versions are masked with it.',
    mask: (_step, seen) =>
      everyObject(seen, (obj) => {
        if (typeof obj['kustomizeVersion'] === 'string') return { ...obj, kustomizeVersion: '<the build of kubectl>' };
        if (typeof obj['gitVersion'] !== 'string' || typeof obj['major'] !== 'string') return obj;
        return { version: '<the build of the server or of kubectl>' };
      }),
  },
  {
    id: 'no-workload-controllers',
    summary:
      'No Deployment or ReplicaSet controller runs: a Deployment keeps status {} and gets no deployment.kubernetes.io/revision annotation, ReplicaSets or Pods (and so READY/UP-TO-DATE/AVAILABLE stay 0).',
    mask: (_step, seen) => {
      const masked = everyObject(seen, (obj) => {
        if (obj['kind'] !== 'Deployment' || obj['apiVersion'] !== 'apps/v1') return obj;
        const metadata = isObject(obj['metadata']) ? { ...obj['metadata'] } : {};
        if (isObject(metadata['annotations'])) {
          const annotations = { ...metadata['annotations'] };
          delete annotations['deployment.kubernetes.io/revision'];
          if (Object.keys(annotations).length > 0) metadata['annotations'] = annotations;
          else delete metadata['annotations'];
        }
        return { ...obj, metadata, status: '<written by kube-controller-manager>' };
      });
      return onStdout(masked, (stdout) => maskColumns(stdout, ['UP-TO-DATE', 'AVAILABLE', 'READY'], '<controller>'));
    },
  },
];
