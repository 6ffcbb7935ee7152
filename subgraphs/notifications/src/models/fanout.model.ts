import { Schema, type Connection } from 'mongoose';
import { messageKinds, type MessageKind } from './notification.model.ts';

/**
 * An in-app notification to every prosecutor of a procuratorate (a new application in their
 * queue), keyed by the event id. Identity names the prosecutors; until it answers, the fan-out
 * waits here and is retried with backoff, so the event consumer never blocks on identity.
 * Its effects are idempotent (one notification id per event and prosecutor).
 */
const fanoutSchema = new Schema(
  {
    _id: { type: String, required: true },
    procuratorateId: { type: String, required: true },
    kind: { type: String, required: true, enum: messageKinds },
    variables: { type: Object, default: {} },
    subjectId: { type: String, default: null },
    /** Done fan-outs are deleted; FAILED ones stay, with their error, for operators. */
    status: { type: String, required: true, enum: ['PENDING', 'FAILED'], default: 'PENDING' },
    attempts: { type: Number, default: 0 },
    dueAt: { type: Date, required: true },
    lastError: { type: String, default: null },
    /** The trace of the event that caused it: each run is a span of that trace. */
    traceparent: String,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
fanoutSchema.index({ status: 1, dueAt: 1 });
export interface FanoutDoc {
  _id: string;
  procuratorateId: string;
  kind: MessageKind;
  variables: Record<string, string>;
  subjectId: string | null;
  status: 'PENDING' | 'FAILED';
  attempts: number;
  dueAt: Date;
  lastError: string | null;
  traceparent?: string;
}
export const fanoutModel = (c: Connection) => c.model('Fanout', fanoutSchema, 'fanouts');
