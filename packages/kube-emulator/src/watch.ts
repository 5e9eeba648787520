/**
 * WATCH streams: newline-delimited JSON events over a chunked 200 response. Starts from a
 * resourceVersion (replaying the retained history; 410 Gone as an ERROR event when it is too old)
 * or with synthetic ADDED events for the current state; sends BOOKMARK events when asked; ends
 * after timeoutSeconds. Selector changes turn into ADDED/DELETED like the real watch cache.
 */
import type { ServerResponse } from 'node:http';
import type { JsonObject } from './json.js';
import type { ObjectApi } from './object-api.js';
import type { ChangeEvent, ObjectStore } from './object-store.js';
import { groupVersion, type ResourceType } from './resource-type.js';
import { ApiError, badRequest } from './status.js';

export interface WatchRequest {
  type: ResourceType;
  /** undefined: all namespaces. */
  namespace: string | undefined;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  timeoutSeconds?: number;
  /** Turns each object into what the client asked for (JSON object, Table, metadata). */
  render: (obj: JsonObject) => JsonObject;
  /** Bookmark objects follow the rendering too (kind and apiVersion of the answer). */
  renderBookmark: (rv: string) => JsonObject;
}

export interface WatchHub {
  bookmarkIntervalMs: number;
  /** Registers an open watch; the returned function unregisters it. */
  track(abort: () => void): () => void;
}

const DEFAULT_TIMEOUT_SECONDS = 30 * 60;

export function plainBookmark(t: ResourceType, rv: string): JsonObject {
  return { kind: t.kind, apiVersion: groupVersion(t), metadata: { resourceVersion: rv, creationTimestamp: null } };
}

export function serveWatch(
  res: ServerResponse,
  w: WatchRequest,
  api: ObjectApi,
  store: ObjectStore,
  hub: WatchHub,
): void {
  const matches = api.matcher(w.type, w.labelSelector, w.fieldSelector);
  const rvText = w.resourceVersion ?? '';
  let fromRv: number | undefined;
  if (rvText !== '' && rvText !== '0') {
    if (!/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: "${rvText}" is not a number`);
    fromRv = Number(rvText);
  }
  const scopeNs = w.type.namespaced ? w.namespace : undefined;

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  // Events of one turn of the event loop go out in one write (one chunk, one TLS record): a
  // write per event costs a syscall and an encryption each, which at thousands of changes a
  // second was most of the emulator's socket time. The client sees the same lines in order.
  let pending: string[] = [];
  let flushScheduled = false;
  const flush = (): void => {
    flushScheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    if (!closed) res.write(text);
  };
  const send = (type: string, object: JsonObject): void => {
    pending.push(`${JSON.stringify({ type, object })}\n`);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => undefined;
  const untrack = hub.track(() => {
    res.socket?.destroy();
  });
  const cleanup = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    untrack();
    for (const t of timers) clearTimeout(t);
  };
  res.on('close', cleanup);

  const deliver = (e: ChangeEvent): void => {
    if (closed) return;
    if (scopeNs !== undefined && e.namespace !== scopeNs) return;
    const current = api.view(w.type, e.object);
    const previous = e.previous ? api.view(w.type, e.previous) : undefined;
    const now = matches(current);
    const before = previous ? matches(previous) : false;
    switch (e.type) {
      case 'ADDED':
        if (now) send('ADDED', w.render(current));
        break;
      case 'MODIFIED':
        if (now && before) send('MODIFIED', w.render(current));
        else if (now) send('ADDED', w.render(current));
        else if (before && previous) {
          send('DELETED', w.render({ ...previous, metadata: { ...(previous['metadata'] as JsonObject), resourceVersion: String(e.rv) } }));
        }
        break;
      case 'DELETED':
        if (now || before) send('DELETED', w.render(current));
        break;
    }
  };

  if (fromRv === undefined) {
    const initial = api.list(w.type, scopeNs, {
      ...(w.labelSelector !== undefined ? { labelSelector: w.labelSelector } : {}),
      ...(w.fieldSelector !== undefined ? { fieldSelector: w.fieldSelector } : {}),
    });
    for (const item of initial.items) send('ADDED', w.render(item));
    unsubscribe = store.subscribe(w.type.storageKey, deliver);
  } else {
    const history = store.changesSince(w.type.storageKey, fromRv);
    if (history === 'expired') {
      const oldest = store.oldestWatchableRv(w.type.storageKey) + 1;
      const status = new ApiError(410, 'Expired', `too old resource version: ${fromRv} (${oldest})`).toStatus();
      send('ERROR', status);
      flush();
      cleanup();
      res.end();
      return;
    }
    for (const e of history) deliver(e);
    unsubscribe = store.subscribe(w.type.storageKey, deliver);
  }

  if (w.allowBookmarks) {
    timers.push(
      setInterval(() => {
        if (!closed) send('BOOKMARK', w.renderBookmark(String(store.currentRv)));
      }, hub.bookmarkIntervalMs),
    );
  }
  const timeout = w.timeoutSeconds !== undefined && w.timeoutSeconds > 0 ? w.timeoutSeconds : DEFAULT_TIMEOUT_SECONDS;
  timers.push(
    setTimeout(() => {
      if (closed) return;
      flush();
      cleanup();
      res.end();
    }, timeout * 1000),
  );
}
