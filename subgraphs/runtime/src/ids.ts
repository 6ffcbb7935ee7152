import mongoose from 'mongoose';

/**
 * New string ids for documents: time-ordered, so `_id` order is creation order (cursors sort
 * on it) and lookups by id are `{_id: value}`, the one filter every backend indexes.
 */
export const newId = (): string => new mongoose.Types.ObjectId().toHexString();
