// Documents by owner and by natural key on both backends: MongoDB's indexes, FerretDB's
// `_id`-keyed id sets and key documents.
export { databaseKind, setDatabaseKind, type DatabaseKind } from './kind.ts';
export { idSets, idSetHead, replaceIdSets, type IdSets } from './id-sets.ts';
export {
  indexKeys,
  keyIndex,
  keyOf,
  replaceKeys,
  type KeyIndex,
  type KeyIndexOptions,
  type KeyValues,
} from './key-index.ts';
export {
  indexOwned,
  matches,
  ownedIndex,
  ownedLoader,
  type OwnedFilter,
  type OwnedIndex,
  type OwnedIndexOptions,
} from './owned-index.ts';
