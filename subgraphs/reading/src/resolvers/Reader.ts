import type { Context } from '../context.ts';
import type { ReaderGrantDoc, ReadingNoteDoc, RedactionDoc } from '../models/index.ts';
import type { ReadingServices } from '../services/index.ts';
import type { ReadingActivityView } from './parents.ts';

/** 在线阅卷: an open reading, its volumes and the lawyer's own notes. */
export const OnlineReading = ({ reader }: ReadingServices) => ({
  id: (g: ReaderGrantDoc) => g._id,
  caseName: async (g: ReaderGrantDoc, _: unknown, ctx: Context) =>
    (await ctx.loaders.package.load(g.packageId))?.caseName ?? '',
  expiresAt: (g: ReaderGrantDoc) => g.expiresAt.toISOString(),
  watermark: (g: ReaderGrantDoc) => g.viewer.split('\n'),
  volumes: (g: ReaderGrantDoc) => reader.volumes(g),
  notes: (g: ReaderGrantDoc) => reader.notes(g),
});

export const ReadingNote = {
  id: (n: ReadingNoteDoc) => n._id,
  text: (n: ReadingNoteDoc) => n.text ?? '',
  region: (n: ReadingNoteDoc) => n.region ?? null,
  createdAt: (n: ReadingNoteDoc) => n.createdAt.toISOString(),
};

export const ReadingActivity = {
  lawyer: (a: ReadingActivityView) => ({ id: a.lawyerId }),
};

export const Redaction = {
  id: (r: RedactionDoc) => r._id,
  region: (r: RedactionDoc) => r.region ?? null,
  markedBy: (r: RedactionDoc) => r.by,
  markedAt: (r: RedactionDoc) => r.createdAt.toISOString(),
  removedAt: (r: RedactionDoc) => r.removedAt?.toISOString() ?? null,
  removedBy: (r: RedactionDoc) => r.removedBy ?? null,
  marker: (r: RedactionDoc) => ({ id: r.by }),
  remover: (r: RedactionDoc) => (r.removedBy ? { id: r.removedBy } : null),
};
