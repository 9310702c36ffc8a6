// `every` on an empty list is true, so an assertion over a list that came back empty would pass while
// checking nothing: this one also requires at least one item.
import assert from 'node:assert/strict';

export function assertEvery<T>(
  items: readonly T[] | undefined,
  predicate: (item: T) => boolean,
  what: string,
): void {
  assert.ok(items !== undefined && items.length > 0, `${what}: there is at least one`);
  const failing = items.filter((item) => !predicate(item));
  assert.deepEqual(failing, [], what);
}
