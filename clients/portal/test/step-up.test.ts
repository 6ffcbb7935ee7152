import { describe, expect, it } from 'vitest';
import { ApiError } from '@yuejuan/client-shared';
import { guarded, requestStepUp, settleStepUp, stepUp } from '../src/lib/step-up.svelte.ts';

const stepUpRequired = (purpose: string) =>
  new ApiError('STEP_UP_REQUIRED', '请先使用中国律师身份核验扫码完成身份核验。', { purpose });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('guarded', () => {
  it('shows the identity QR for the purpose the API names, then runs the operation again', async () => {
    let calls = 0;
    const result = guarded(async () => {
      calls += 1;
      if (calls === 1) throw stepUpRequired('READING_APPLICATION');
      return 'submitted';
    });
    await tick();
    expect(stepUp.pending?.purpose).toBe('READING_APPLICATION');
    settleStepUp(true);
    expect(await result).toBe('submitted');
    expect(calls).toBe(2);
    expect(stepUp.pending).toBeNull();
  });

  it('gives up when the lawyer cancels the dialog', async () => {
    const result = guarded(async () => {
      throw stepUpRequired('BIND_CASE');
    });
    await tick();
    settleStepUp(false);
    await expect(result).rejects.toMatchObject({
      code: 'STEP_UP_CANCELLED',
      message: '已取消身份核验。',
    });
  });

  it('passes any other error through without a dialog', async () => {
    await expect(
      guarded(async () => {
        throw new ApiError('CONFLICT', '状态已变化');
      }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(stepUp.pending).toBeNull();
  });

  it('cancels an earlier request when a new one comes', async () => {
    const first = requestStepUp('BIND_CASE');
    const second = requestStepUp('DOWNLOAD');
    await expect(first).rejects.toMatchObject({ code: 'STEP_UP_CANCELLED' });
    expect(stepUp.pending?.purpose).toBe('DOWNLOAD');
    settleStepUp(true);
    await expect(second).resolves.toBeUndefined();
  });
});
