import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Schema } from 'mongoose';
import { byIdLoader } from '../src/index.ts';
import { openTestDatabase } from '../src/testing/index.ts';

interface ThingDoc {
  _id: string;
  name: string;
}

describe('byIdLoader', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  const filters: unknown[] = [];
  const Thing = () =>
    db.model<ThingDoc>('Thing', new Schema<ThingDoc>({ _id: String, name: String }), 'things');

  beforeAll(async () => {
    db = await openTestDatabase('loaders', { monitorCommands: true });
    await Thing().insertMany([
      { _id: 't1', name: '一' },
      { _id: 't2', name: '二' },
      { _id: 't3', name: '三' },
    ]);
    db.getClient().on(
      'commandStarted',
      (e: { commandName: string; command: { find?: string; filter?: unknown } }) => {
        if (e.commandName === 'find' && e.command.find === 'things') filters.push(e.command.filter);
      },
    );
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('asks for one entity with {_id: value}, the lookup FerretDB/SQLite answers from its index', async () => {
    filters.length = 0;
    const loader = byIdLoader<ThingDoc>(Thing());
    await expect(loader.load('t2')).resolves.toMatchObject({ _id: 't2', name: '二' });
    expect(filters).toEqual([{ _id: 't2' }]);
  });

  it('asks for the entities of one tick in one $in query, missing ones as null, in the asked order', async () => {
    filters.length = 0;
    const loader = byIdLoader<ThingDoc>(Thing());
    const found = await Promise.all(['t3', 'nope', 't1'].map((id) => loader.load(id)));
    expect(found.map((d) => d?._id ?? null)).toEqual(['t3', null, 't1']);
    expect(filters).toEqual([{ _id: { $in: ['t3', 'nope', 't1'] } }]);
  });
});
