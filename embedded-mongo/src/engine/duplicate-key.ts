import { bsonTypeName, tagOf } from './bson-order';
import { EngineError, type Doc } from './types';

/** Renders a key value roughly the way mongod prints it in E11000 messages. */
function renderValue(value: unknown): string {
  switch (tagOf(value)) {
    case 'null': return 'null';
    case 'string': return JSON.stringify(value);
    case 'date': return `new Date(${(value as Date).getTime()})`;
    case 'objectId': return `ObjectId('${(value as { toHexString(): string }).toHexString()}')`;
    case 'array': return `[ ${(value as unknown[]).map(renderValue).join(', ')} ]`;
    case 'object': return renderDoc(value as Doc);
    default: return bsonTypeName(value) ? `${bsonTypeName(value)}(${String(value)})` : String(value);
  }
}

function renderDoc(doc: Doc): string {
  const parts = Object.keys(doc).map((k) => `${k}: ${renderValue(doc[k])}`);
  return parts.length ? `{ ${parts.join(', ')} }` : '{}';
}

/** EngineError 11000 with the keyPattern/keyValue fields drivers and mongoose read. */
export function duplicateKeyError(ns: string, indexName: string, keyPattern: Doc, keyValue: Doc): EngineError {
  return new EngineError(
    11000,
    'DuplicateKey',
    `E11000 duplicate key error collection: ${ns} index: ${indexName} dup key: ${renderDoc(keyValue)}`,
    { keyPattern, keyValue },
  );
}
