// Stable small ids for objects, by identity: how op instances tell apart two lambdas written at
// the same line and column of different files, or the same lambda closed over two different
// scopes (two instances of the op that contains it).
const ids = new WeakMap<object, number>();
let next = 0;

export function objectId(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = next++));
  return id;
}
