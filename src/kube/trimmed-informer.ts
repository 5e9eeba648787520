/**
 * client-node's informer (ListWatch), with every listed and watched object trimmed before the
 * informer caches it: its cache and the handlers then share one small copy per object. Lists are
 * read in pages, so a first list of 10,000 bindings never holds every full object at once.
 */
import { type KubeConfig, type KubernetesListObject, type KubernetesObject, ListWatch, Watch } from '@kubernetes/client-node';

/** Objects per list page: bounds the full (untrimmed) objects held at once during a list. */
export const LIST_PAGE_SIZE = 500;

/** One page of a list: `continueToken` from the previous page, undefined for the first. */
export type PagedList = (page: { limit: number; continueToken: string | undefined }) => Promise<KubernetesListObject<KubernetesObject>>;

/**
 * The continue token of a list page: `_continue` in client-node's typed lists (core kinds),
 * `continue` as on the wire in custom-object lists (plain JSON).
 */
export function continueTokenOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const metadata = list.metadata as { _continue?: unknown; continue?: unknown } | undefined;
  const token = metadata?._continue ?? metadata?.continue;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Reads every page, trimming each page's items as it arrives; the list metadata is the last page's. */
export async function listAllTrimmed(list: PagedList, trim: (o: KubernetesObject) => KubernetesObject): Promise<KubernetesListObject<KubernetesObject>> {
  const items: KubernetesObject[] = [];
  let continueToken: string | undefined;
  for (;;) {
    const page = await list({ limit: LIST_PAGE_SIZE, continueToken });
    for (const item of page.items) items.push(trim(item));
    continueToken = continueTokenOf(page);
    if (!continueToken) return { ...page, items, metadata: { ...(page.metadata?.resourceVersion ? { resourceVersion: page.metadata.resourceVersion } : {}) } };
  }
}

type WatchCallback = (phase: string, apiObj: unknown, watchObj?: unknown) => void;

/** A Watch whose object events carry trimmed objects (ERROR and BOOKMARK pass unchanged). */
class TrimmingWatch extends Watch {
  constructor(
    config: KubeConfig,
    private readonly trim: (o: KubernetesObject) => KubernetesObject,
  ) {
    super(config);
  }

  override watch(path: string, queryParams: Record<string, string | number | boolean | undefined>, callback: WatchCallback, done: (err: unknown) => void): Promise<AbortController> {
    return super.watch(path, queryParams, (phase, obj, raw) => {
      const objectEvent = phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED';
      callback(phase, objectEvent ? this.trim(obj as KubernetesObject) : obj, objectEvent ? undefined : raw);
    }, done);
  }
}

export function makeTrimmedInformer(
  kubeConfig: KubeConfig,
  path: string,
  list: PagedList,
  trim: (o: KubernetesObject) => KubernetesObject,
): ListWatch<KubernetesObject> {
  return new ListWatch<KubernetesObject>(path, new TrimmingWatch(kubeConfig, trim), () => listAllTrimmed(list, trim), false);
}
