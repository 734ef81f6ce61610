import { tagOf, toNumber } from './bson-order';

/**
 * A string that is equal for two values exactly when they are BSON-equal
 * (1, 1.0 and Long(1) share a key; field order of embedded documents matters).
 * Used to key documents by `_id` and to dedupe distinct values.
 */
export function valueKey(value: unknown): string {
  const tag = tagOf(value);
  switch (tag) {
    case 'null': return 'z';
    case 'number': {
      const n = toNumber(value);
      return `n${Object.is(n, -0) ? 0 : n}`;
    }
    case 'string': return `s${String(value)}`;
    case 'bool': return value ? 'bt' : 'bf';
    case 'date': return `d${(value as Date).getTime()}`;
    case 'objectId': return `o${(value as { toHexString(): string }).toHexString()}`;
    case 'array': return `a[${(value as unknown[]).map(valueKey).join(',')}]`;
    case 'object': {
      const obj = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const k of Object.keys(obj)) {
        if (obj[k] !== undefined) parts.push(`${JSON.stringify(k)}:${valueKey(obj[k])}`);
      }
      return `{${parts.join(',')}}`;
    }
    case 'binData': {
      const v = value as { buffer?: Uint8Array; sub_type?: number };
      const bytes = value instanceof Uint8Array ? value : v.buffer ?? new Uint8Array(0);
      return `x${v.sub_type ?? 0}:${Buffer.from(bytes).toString('base64')}`;
    }
    case 'regex': {
      const r = value as { source?: string; flags?: string; pattern?: string; options?: string };
      return `r/${r.source ?? r.pattern}/${r.flags ?? r.options}`;
    }
    default: return `${tag}:${String(value)}`;
  }
}
