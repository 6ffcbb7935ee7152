import type { Collection, Document } from 'mongodb';

/** Duplicate key error code, the same on MongoDB and FerretDB. */
export const DUPLICATE_KEY = 11000;

/** True when `err` is a unique-index violation. */
export function isDuplicateKey(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY
  );
}

/**
 * Makes a decision that must happen once (redeem a ticket, claim a message, take a lease,
 * count an attempt) by inserting a document under a unique `_id`. Real MongoDB and FerretDB
 * both enforce the unique index inside the write, whereas FerretDB 1.24 applies an update's
 * filter outside it (a conditional findOneAndUpdate or $inc can win twice). Returns true for
 * the one caller whose insert landed, false for every other.
 */
export async function claimOnce<T extends Document>(
  collection: Collection<T>,
  key: string,
  fields: Omit<T, '_id'> = {} as Omit<T, '_id'>,
): Promise<boolean> {
  try {
    await collection.insertOne({ ...fields, _id: key } as never);
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}
