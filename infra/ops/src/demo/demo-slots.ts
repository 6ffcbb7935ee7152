import { connectMongo, ensureIndexes } from '@yuejuan/runtime';
import { readingModels } from '@yuejuan/reading/models';
import { readRows } from '../import/read-rows.ts';
import { demoFiles } from './demo-files.ts';

/** Beijing office hours of the demo's reception slots (UTC+8, no daylight saving). */
const sessions = [
  { key: 'am', from: '09:00', to: '11:30' },
  { key: 'pm', from: '14:00', to: '16:30' },
] as const;
const beijing = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

/**
 * Keeps the demo's reception slots (接待时段) ahead of today: every procuratorate of the demo
 * receives 现场阅卷 and 听取意见 on the next ten working days, mornings and afternoons, three
 * places each. Run at every start; a slot's id names its day, so nothing is added twice and
 * slots lawyers booked are left as they are. Answers how many were added.
 */
export async function seedDemoSlots(options: {
  mongoUri: string;
  readingDb: string;
  now?: Date;
}): Promise<number> {
  const file = demoFiles.find((f) => f.kind === 'procuratorates')!.file;
  const procuratorates = (await readRows(file)).rows.map((r) => ({
    id: String(r.values.id).trim(),
    name: String(r.values.name),
  }));
  const connection = await connectMongo(options.mongoUri, options.readingDb);
  try {
    const models = readingModels(connection);
    await ensureIndexes(connection);
    const days: string[] = [];
    for (
      let t = (options.now ?? new Date()).getTime() + 86_400_000;
      days.length < 10;
      t += 86_400_000
    ) {
      const day = new Date(t + 8 * 3_600_000); // the Beijing calendar day
      if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.push(day.toISOString().slice(0, 10));
    }
    let added = 0;
    for (const p of procuratorates) {
      for (const day of days) {
        for (const s of sessions) {
          const r = await models.ReceptionSlot.updateOne(
            { _id: `demo:${p.id}:${day}:${s.key}` },
            {
              $setOnInsert: {
                procuratorateId: p.id,
                types: ['IN_PERSON_READING', 'OPINION_HEARING'],
                startsAt: beijing(day, s.from),
                endsAt: beijing(day, s.to),
                location: `${p.name} 律师接待室`,
                capacity: 3,
                createdBy: 'demo',
              },
            },
            { upsert: true },
          ).exec();
          added += r.upsertedCount;
        }
      }
    }
    return added;
  } finally {
    await connection.close();
  }
}
