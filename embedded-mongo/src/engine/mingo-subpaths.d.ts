/**
 * The project resolves modules the classic "node" way, which ignores package
 * `exports`; mingo's subpath entry points are declared here from its type files
 * (Node itself resolves them through the exports map at runtime).
 */
declare module 'mingo/query' {
  export * from 'mingo/types/query';
}
declare module 'mingo/aggregator' {
  export * from 'mingo/types/aggregator';
}
declare module 'mingo/updater' {
  export * from 'mingo/types/updater';
}
declare module 'mingo/operators/update' {
  export * from 'mingo/types/operators/update/index';
}
declare module 'mingo/operators/query' {
  export * from 'mingo/types/operators/query/index';
}
declare module 'mingo/operators/expression' {
  export * from 'mingo/types/operators/expression/index';
}
declare module 'mingo/operators/pipeline' {
  export * from 'mingo/types/operators/pipeline/index';
}
declare module 'mingo/operators/projection' {
  export * from 'mingo/types/operators/projection/index';
}
declare module 'mingo/operators/accumulator' {
  export * from 'mingo/types/operators/accumulator/index';
}
declare module 'mingo/operators/window' {
  export * from 'mingo/types/operators/window/index';
}
declare module 'mingo/util' {
  export * from 'mingo/types/util/index';
}
