import { isPlainObject, tagOf } from './bson-order';
import { badValue, conflictingUpdate, failedToParse } from './engine-errors';
import { EngineError, type Doc } from './types';
import { pathInfo } from './update-paths';

/** Classifies an update (`u`) and performs MongoDB's parse-time checks (9, 40, 52). */

export const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$push', '$pop', '$pull', '$pullAll',
  '$addToSet', '$rename', '$currentDate', '$bit', '$setOnInsert',
]);

const PIPELINE_STAGES = new Set([
  '$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith',
]);

export type ParsedUpdate =
  | { kind: 'operators'; ops: Record<string, Doc>; setOnInsert?: Doc }
  | { kind: 'replacement'; doc: Doc }
  | { kind: 'pipeline'; stages: Doc[] };

function conflictCheck(paths: string[]): void {
  const sorted = paths.slice().sort();
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1];
    const b = sorted[i];
    if (a === b || b.startsWith(`${a}.`)) {
      throw conflictingUpdate(`Updating the path '${b}' would create a conflict at '${a}'`);
    }
  }
}

export function parseUpdate(u: Doc | Doc[]): ParsedUpdate {
  if (Array.isArray(u)) {
    for (const stage of u) {
      const keys = isPlainObject(stage) ? Object.keys(stage) : [];
      if (keys.length !== 1) throw failedToParse('Each element of the \'pipeline\' array must be an object with exactly one field');
      if (!PIPELINE_STAGES.has(keys[0])) {
        throw new EngineError(72, 'InvalidOptions', `${keys[0]} is not allowed to be used within an update`);
      }
    }
    return { kind: 'pipeline', stages: u };
  }
  if (!isPlainObject(u)) throw failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0].startsWith('$')) {
    for (const k of keys) {
      if (k.startsWith('$')) {
        throw new EngineError(52, 'DollarPrefixedFieldName', `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`);
      }
    }
    return { kind: 'replacement', doc: u };
  }
  const ops: Record<string, Doc> = {};
  let setOnInsert: Doc | undefined;
  const paths: string[] = [];
  for (const op of keys) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw failedToParse(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const arg = u[op];
    if (!isPlainObject(arg)) {
      throw failedToParse(`Modifiers operate on fields but we found type ${tagOf(arg)} instead. For example: {$mod: {<field>: ...}} not {${op}: ${JSON.stringify(arg)}}`);
    }
    for (const path of Object.keys(arg)) {
      if (pathInfo(path).hasEmptySegment) {
        throw new EngineError(56, 'EmptyFieldName', `An update path '${path}' contains an empty field name, which is not allowed.`);
      }
      if (path.startsWith('$')) throw badValue(`The dollar ($) prefixed field '${path}' is not valid for an update path`);
      paths.push(path);
      if (op === '$rename') {
        const target = arg[path];
        if (typeof target !== 'string' || target === '') throw badValue(`The 'to' field for $rename must be a string: ${path}: ${String(target)}`);
        if (target === path) throw badValue(`The source and target field for $rename must differ: ${path}: "${target}"`);
        if (path.includes('$') || target.includes('$')) throw badValue('The source and target field for $rename must not contain a positional operator');
        paths.push(target);
      }
    }
    if (op === '$setOnInsert') setOnInsert = arg;
    else if (Object.keys(arg).length > 0) ops[op] = arg;
  }
  conflictCheck(paths);
  return { kind: 'operators', ops, setOnInsert };
}
