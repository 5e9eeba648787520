/**
 * Request bodies in the Kubernetes protobuf encoding (application/vnd.kubernetes.protobuf), which
 * kubectl and client-go's typed clients send for built-in kinds (`kubectl create namespace`,
 * `create secret`, `create deployment`, `auth can-i`, `create token`, ...). Decodes the `k8s\0` +
 * runtime.Unknown envelope and the message inside by the Go type table into the JSON the JSON
 * encoding would carry; answers go back as JSON, which these clients accept too.
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { roundTripGoJson } from './go-types/go-json.js';
import { decodeStructBytes } from './go-types/go-protobuf.js';
import { structOfKind } from './go-types/go-type.js';
import type { JsonObject } from './json.js';
import { ApiError, badRequest } from './status.js';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const MAGIC = [0x6b, 0x38, 0x73, 0x00];

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
}

function readEnvelope(body: Uint8Array): Envelope {
  const envelope: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array() };
  const reader = new BinaryReader(body.subarray(MAGIC.length));
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === 1 && wireType === WireType.LengthDelimited) {
      const typeMeta = new BinaryReader(reader.bytes());
      while (typeMeta.pos < typeMeta.len) {
        const [tno, twt] = typeMeta.tag();
        if (tno === 1 && twt === WireType.LengthDelimited) envelope.apiVersion = typeMeta.string();
        else if (tno === 2 && twt === WireType.LengthDelimited) envelope.kind = typeMeta.string();
        else typeMeta.skip(twt);
      }
    } else if (no === 2 && wireType === WireType.LengthDelimited) {
      envelope.raw = reader.bytes();
    } else {
      reader.skip(wireType);
    }
  }
  return envelope;
}

function unsupported(): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** Whether the emulator can read protobuf bodies of this kind. */
export function acceptsProtobuf(apiVersion: string, kind: string): boolean {
  return structOfKind(apiVersion, kind) !== undefined;
}

/**
 * Decodes a protobuf body sent to a resource of `expected` apiVersion and kind into its JSON form.
 * The envelope names the kind; a body of another kind fails like the real server's decoder.
 */
export function decodeProtobufBody(body: Buffer, expected: { apiVersion: string; kind: string }): JsonObject {
  if (body.length < MAGIC.length || !MAGIC.every((b, i) => body[i] === b)) {
    throw badRequest('provided input is not a protobuf object: the request body does not start with the "k8s\\x00" prefix');
  }
  let envelope: Envelope;
  try {
    envelope = readEnvelope(body);
  } catch (err) {
    throw badRequest(`cannot decode the protobuf body: ${err instanceof Error ? err.message : String(err)}`);
  }
  const apiVersion = envelope.apiVersion || expected.apiVersion;
  const kind = envelope.kind || expected.kind;
  const struct = structOfKind(apiVersion, kind);
  if (!struct) throw unsupported();
  try {
    const decoded = roundTripGoJson(struct, decodeStructBytes(struct, envelope.raw)).value;
    return { kind, apiVersion, ...decoded };
  } catch (err) {
    throw badRequest(`cannot decode the protobuf body of a ${kind}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
