import { describe, expect, it } from 'vitest';
import { formatSlot, formatTime } from '../../src/format.ts';

describe('times as a person in China reads them', () => {
  it("shows instants and reception slots in Beijing time, whatever the machine's zone", () => {
    expect(formatTime('2026-12-07T01:00:00.000Z')).toBe('2026-12-07 09:00:00');
    expect(formatSlot('2026-12-07T01:00:00.000Z', '2026-12-07T03:30:00.000Z')).toBe(
      '2026-12-07 周一 09:00–11:30',
    );
    expect(formatSlot('2026-12-06T16:30:00.000Z', '2026-12-06T18:00:00.000Z')).toBe(
      '2026-12-07 周一 00:30–02:00',
    );
    expect(formatSlot(null, '2026-12-07T03:30:00.000Z')).toBe('—');
    expect(formatSlot('soon', '2026-12-07T03:30:00.000Z')).toBe('—');
  });
});
