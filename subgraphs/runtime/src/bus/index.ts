export * from './types.ts';
export { createEventBus, type EventBusOptions } from './bus.ts';
