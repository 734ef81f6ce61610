/**
 * Deep copies with structuredClone's rules, whose objects belong to this realm. Under jest the
 * global structuredClone is the outer Node realm's: its copies fail `instanceof Date` (even
 * `instanceof Object`) and `toStrictEqual` in the test's realm, the very place this backend is
 * used. When the realms differ (checked once), the clone is rebuilt from this realm's classes.
 */
const cloneIsLocal = structuredClone({}) instanceof Object;

export function copyData<T>(value: T): T {
  const cloned = structuredClone(value);
  return cloneIsLocal ? cloned : (rehome(cloned, new Map()) as T);
}

type TypedArrayConstructor = new (source: ArrayLike<number> | ArrayLike<bigint>) => ArrayBufferView;

function rehome(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  switch (tag) {
    case 'Object':
    case 'Array': {
      const source = value as Record<string, unknown>;
      const out = (tag === 'Array' ? new Array<unknown>((value as unknown[]).length) : {}) as Record<string, unknown>;
      seen.set(value, out);
      for (const key of Object.keys(source)) out[key] = rehome(source[key], seen);
      return out;
    }
    case 'Date':
      return remember(seen, value, new Date((value as Date).getTime()));
    case 'RegExp':
      return remember(seen, value, new RegExp((value as RegExp).source, (value as RegExp).flags));
    case 'Map': {
      const out = remember(seen, value, new Map<unknown, unknown>());
      for (const [k, v] of value as Map<unknown, unknown>) out.set(rehome(k, seen), rehome(v, seen));
      return out;
    }
    case 'Set': {
      const out = remember(seen, value, new Set<unknown>());
      for (const item of value as Set<unknown>) out.add(rehome(item, seen));
      return out;
    }
    case 'Error': {
      const source = value as Error;
      const out = remember(seen, value, new Error(source.message));
      out.name = source.name;
      if (source.stack !== undefined) out.stack = source.stack;
      if ('cause' in source) out.cause = rehome(source.cause, seen);
      return out;
    }
    case 'ArrayBuffer': {
      const out = new ArrayBuffer((value as ArrayBuffer).byteLength);
      new Uint8Array(out).set(new Uint8Array(value as ArrayBuffer));
      return remember(seen, value, out);
    }
    default: {
      // Typed arrays (Uint8Array, Float64Array, ...): this realm's constructor of the same name.
      const ctor = (globalThis as Record<string, unknown>)[tag];
      if (ArrayBuffer.isView(value) && tag !== 'DataView' && typeof ctor === 'function') {
        return remember(seen, value, new (ctor as TypedArrayConstructor)(value as unknown as ArrayLike<number>));
      }
      return value; // Anything rarer keeps the structured clone as it is.
    }
  }
}

function remember<V>(seen: Map<object, unknown>, original: object, copy: V): V {
  seen.set(original, copy);
  return copy;
}
