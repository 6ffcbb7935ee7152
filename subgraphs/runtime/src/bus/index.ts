export * from './types.ts';
export { busStats, createEventBus, type EventBusOptions } from './bus.ts';
export { perEvent } from './per-event.ts';
export { seqId } from './sequence.ts';
