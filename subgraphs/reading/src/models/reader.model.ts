import { Schema, type Connection, type InferSchemaType } from 'mongoose';
import { newId } from '@yuejuan/runtime';

/**
 * 在线阅卷: a lawyer's reading of a ready package in the browser, opened after a fresh
 * READ_ONLINE step-up. Page images are served only to the login session that opened it, until
 * it expires, while the package stays ready under the same keys and the case stays bound.
 */
export const readerGrantSchema = new Schema(
  {
    _id: { type: String, default: newId },
    packageId: { type: String, required: true },
    keyVersion: { type: Number, required: true },
    appointmentId: { type: String, required: true },
    caseId: { type: String, required: true },
    lawyerId: { type: String, required: true },
    sessionId: { type: String, required: true },
    /** The watermark burned into every page this reading shows (the lawyer's name and licence). */
    viewer: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);
export type ReaderGrantDoc = InferSchemaType<typeof readerGrantSchema> & { _id: string };
export const readerGrantModel = (c: Connection) =>
  c.model('ReaderGrant', readerGrantSchema, 'reader_grants');

const outlineEntry = new Schema(
  { title: { type: String, required: true }, page: { type: Number, required: true } },
  { _id: false },
);

/**
 * The searchable text of a volume (`_id` = the volume's id), made once by the build pipeline:
 * each page's words joined by single spaces (NFKC), from the PDF's text layer, or from OCR on
 * pages that have none; its outline (the PDF's bookmarks). One document, read by `_id`.
 */
export const volumeTextSchema = new Schema(
  {
    _id: { type: String, required: true },
    pages: { type: [String], default: [] },
    /** 1-based numbers of the pages whose text came from OCR. */
    ocrPages: { type: [Number], default: [] },
    outline: { type: [outlineEntry], default: [] },
  },
  { timestamps: true, versionKey: false },
);
export type VolumeTextDoc = InferSchemaType<typeof volumeTextSchema> & { _id: string };
export const volumeTextModel = (c: Connection) =>
  c.model('VolumeText', volumeTextSchema, 'volume_texts');

/**
 * Where each word of a page is (`_id` = `${volumeId}:${page}`), as fractions of the page's width
 * and height: four numbers per word, `x0, y0, x1, y1`, in the order of the page's text (one flat
 * array: FerretDB stores no nested arrays). The search highlights on it.
 */
export const pageWordsSchema = new Schema(
  {
    _id: { type: String, required: true },
    boxes: { type: [Number], default: [] },
  },
  { versionKey: false },
);
export type PageWordsDoc = InferSchemaType<typeof pageWordsSchema> & { _id: string };
export const pageWordsModel = (c: Connection) =>
  c.model('PageWords', pageWordsSchema, 'page_words');

/** One page shown to a reader (written in batches, never one write per page on the request path). */
export const pageViewSchema = new Schema(
  {
    _id: { type: String, default: newId },
    grantId: { type: String, required: true },
    packageId: { type: String, required: true },
    lawyerId: { type: String, required: true },
    volumeId: { type: String, required: true },
    page: { type: Number, required: true },
    ip: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
// A package's views, newest first (models/owned.ts; `_id` order is time order).
pageViewSchema.index({ packageId: 1, _id: -1 });
export type PageViewDoc = InferSchemaType<typeof pageViewSchema> & { _id: string };
export const pageViewModel = (c: Connection) => c.model('PageView', pageViewSchema, 'page_views');

/** A rectangle on a page, as fractions of its width and height from the top left. */
const regionSchema = new Schema(
  {
    x: { type: Number, required: true },
    y: { type: Number, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
  },
  { _id: false },
);

export const noteKinds = ['NOTE', 'BOOKMARK'] as const;
/**
 * A lawyer's private note or bookmark on a page of a case file (never shown to the
 * procuratorate), optionally on a region given as fractions of the page.
 */
export const readingNoteSchema = new Schema(
  {
    _id: { type: String, default: newId },
    lawyerId: { type: String, required: true },
    caseId: { type: String, required: true },
    volumeId: { type: String, required: true },
    volumeTitle: { type: String, required: true },
    page: { type: Number, required: true },
    kind: { type: String, required: true, enum: noteKinds },
    text: { type: String, default: '', maxlength: 2000 },
    region: {
      type: regionSchema,
      required: false,
    },
  },
  { timestamps: true, versionKey: false },
);
readingNoteSchema.index({ lawyerId: 1, caseId: 1 });
export type ReadingNoteDoc = InferSchemaType<typeof readingNoteSchema> & { _id: string };
export const readingNoteModel = (c: Connection) =>
  c.model('ReadingNote', readingNoteSchema, 'reading_notes');

export const redactionCategories = ['PERSONAL_DATA', 'MINOR', 'STATE_SECRET', 'OTHER'] as const;
/**
 * 遮蔽: a region of a page (fractions of the page) or a whole page of a volume that the lawyer
 * must not see, with who marked it and why. Applied when the volume is published: burned into
 * the published PDF and page images. Never deleted: a removed mark keeps who removed it and
 * when (the audit).
 */
export const redactionSchema = new Schema(
  {
    _id: { type: String, default: newId },
    volumeId: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    page: { type: Number, required: true, min: 1 },
    /** Absent: the whole page is withheld. */
    region: {
      type: regionSchema,
      required: false,
    },
    category: { type: String, required: true, enum: redactionCategories },
    reason: { type: String, required: true, maxlength: 200 },
    by: { type: String, required: true },
    removedAt: Date,
    removedBy: String,
  },
  { timestamps: true, versionKey: false },
);
redactionSchema.index({ volumeId: 1 });
export type RedactionDoc = InferSchemaType<typeof redactionSchema> & { _id: string };
export const redactionModel = (c: Connection) =>
  c.model('Redaction', redactionSchema, 'redactions');
