// Documents by owner on both backends: MongoDB's indexes, FerretDB's `_id`-keyed id sets.
export { databaseKind, setDatabaseKind, type DatabaseKind } from './kind.ts';
export { idSets, idSetHead, replaceIdSets, type IdSets } from './id-sets.ts';
export {
  indexOwned,
  matches,
  ownedIndex,
  ownedLoader,
  type OwnedFilter,
  type OwnedIndex,
  type OwnedIndexOptions,
} from './owned-index.ts';
