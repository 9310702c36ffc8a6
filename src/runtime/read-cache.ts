// What a reconciler reads instead of the API server: an informer's cache of one kind of object.
export interface ReadCache<T> {
  list(): readonly T[];
  get(name: string, namespace?: string): T | undefined;
}
