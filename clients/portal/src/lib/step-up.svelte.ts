// Step-up verification (身份核验二维码弹框) wherever a non-verified session needs it: a page
// calls `requestStepUp(purpose)` or wraps its mutation in `guarded`, the root layout shows the
// dialog, and the promise settles when the verifier confirms or the lawyer cancels.
import { ApiError, stepUpPurposeLabels, toApiError } from '@yuejuan/client-shared';
import type { EnumOf } from '@yuejuan/client-shared/graphql';

export type Purpose = EnumOf<'StepUpPurpose'>;
const purposes = Object.keys(stepUpPurposeLabels);

interface Pending {
  purpose: Purpose;
  resolve: () => void;
  reject: (err: ApiError) => void;
}

/** The step-up the dialog is showing, if any. */
export const stepUp: { pending: Pending | null } = $state({ pending: null });

/** Shows the identity QR for `purpose`; resolves once the verifier confirmed it. */
export function requestStepUp(purpose: Purpose): Promise<void> {
  stepUp.pending?.reject(new ApiError('STEP_UP_CANCELLED', '已取消身份核验。'));
  return new Promise((resolve, reject) => {
    stepUp.pending = { purpose, resolve, reject };
  });
}

/** Called by the dialog. */
export function settleStepUp(confirmed: boolean): void {
  const pending = stepUp.pending;
  stepUp.pending = null;
  if (!pending) return;
  if (confirmed) pending.resolve();
  else pending.reject(new ApiError('STEP_UP_CANCELLED', '已取消身份核验。'));
}

/** Runs `run`; on STEP_UP_REQUIRED shows the identity QR for the purpose the API named and runs it again. */
export async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const err = toApiError(e);
    if (err.code !== 'STEP_UP_REQUIRED') throw err;
    const named = err.details.purpose;
    await requestStepUp(
      typeof named === 'string' && purposes.includes(named) ? (named as Purpose) : 'BIND_CASE',
    );
    return run();
  }
}
