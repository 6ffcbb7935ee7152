// The stopping state of this process (one service per process).
import { z } from 'zod';

/**
 * Graceful stop behind a load balancer: on SIGTERM the service first answers `/ready` with 503
 * for SHUTDOWN_DRAIN_MS while still serving (the balancer's health check takes it out of
 * rotation, so no new request is sent to a closing port), then drains what is in flight and
 * stops. 0 (the default, one process per service) stops at once.
 */
export const lifecycleConfigShape = {
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(60_000).default(0),
};

let draining = false;
/** Marks this process as stopping (runService does, on SIGINT/SIGTERM). */
export function beginDrain() {
  draining = true;
}
/** True once the process was told to stop: `/ready` answers 503 from then on. */
export const isDraining = () => draining;
