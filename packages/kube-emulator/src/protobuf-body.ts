/**
 * Request bodies in the Kubernetes protobuf encoding, for the kinds kubectl sends that way
 * (`kubectl auth can-i` and `auth whoami` post their reviews as application/vnd.kubernetes.protobuf).
 * Decodes the `k8s\0` + runtime.Unknown envelope and the access review messages into the same
 * JSON the JSON encoding would carry; answers go back as JSON, which these clients also accept.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import type { JsonObject } from './json.js';
import { ApiError } from './status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

type FieldHandler = (reader: BinaryReader, out: JsonObject) => void;

function readMessage(bytes: Uint8Array, fields: Record<number, FieldHandler>): JsonObject {
  const reader = new BinaryReader(bytes);
  const out: JsonObject = {};
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    const handler = fields[no];
    if (handler) handler(reader, out);
    else reader.skip(wireType);
  }
  return out;
}

const str = (name: string): FieldHandler => (r, out) => {
  out[name] = r.string();
};
const message = (name: string, fields: Record<number, FieldHandler>): FieldHandler => (r, out) => {
  out[name] = readMessage(r.bytes(), fields);
};
const repeatedStr = (name: string): FieldHandler => (r, out) => {
  const list = Array.isArray(out[name]) ? (out[name] as string[]) : [];
  list.push(r.string());
  out[name] = list;
};

const RESOURCE_ATTRIBUTES = { 1: str('namespace'), 2: str('verb'), 3: str('group'), 4: str('version'), 5: str('resource'), 6: str('subresource'), 7: str('name') };
const NON_RESOURCE_ATTRIBUTES = { 1: str('path'), 2: str('verb') };
const OBJECT_META = { 1: str('name'), 2: str('generateName'), 3: str('namespace') };

/** Spec messages by kind (SubjectAccessReviewSpec adds user, groups, uid). */
const SPECS: Record<string, Record<number, FieldHandler>> = {
  SelfSubjectAccessReview: { 1: message('resourceAttributes', RESOURCE_ATTRIBUTES), 2: message('nonResourceAttributes', NON_RESOURCE_ATTRIBUTES) },
  SubjectAccessReview: {
    1: message('resourceAttributes', RESOURCE_ATTRIBUTES),
    2: message('nonResourceAttributes', NON_RESOURCE_ATTRIBUTES),
    3: str('user'),
    4: repeatedStr('groups'),
    6: str('uid'),
  },
  SelfSubjectReview: {},
};

export function isProtobufKind(kind: string): boolean {
  return kind in SPECS;
}

/** Decodes a protobuf body of one of the review kinds into its JSON form. */
export function decodeProtobufBody(body: Buffer, kind: string): JsonObject {
  const spec = SPECS[kind];
  if (!spec || body.length < 4 || !MAGIC.every((b, i) => body[i] === b)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  try {
    const unknown = readMessage(body.subarray(4), {
      1: (r, out) => {
        out['typeMeta'] = readMessage(r.bytes(), { 1: str('apiVersion'), 2: str('kind') });
      },
      2: (r, out) => {
        out['raw'] = Buffer.from(r.bytes()).toString('base64');
      },
    });
    const typeMeta = (unknown['typeMeta'] ?? {}) as JsonObject;
    const raw = Buffer.from(String(unknown['raw'] ?? ''), 'base64');
    const obj = readMessage(raw, { 1: message('metadata', OBJECT_META), 2: message('spec', spec) });
    return { apiVersion: String(typeMeta['apiVersion'] ?? ''), kind: String(typeMeta['kind'] ?? kind), metadata: obj['metadata'] ?? {}, spec: obj['spec'] ?? {} };
  } catch (err) {
    throw new ApiError(400, 'BadRequest', `cannot decode the protobuf body: ${err instanceof Error ? err.message : String(err)}`);
  }
}


