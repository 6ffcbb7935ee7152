import type { Logger } from '@yuejuan/runtime';
import type { NotificationsModels } from '../models/index.ts';

/**
 * Queue items of messages settled by this sender, deleted in batches: on FerretDB's SQLite
 * backend a delete scans the whole queue whatever it matches, so one `$in` delete per batch
 * (at most `batch` items, or after `delayMs`) instead of one per message. Until then the sender
 * skips them, and another sender finds their lease held (or, after it, the settled message);
 * the secrets they hold live at most `delayMs` (plus one delete) longer than the message.
 */
export function createSettledItems(
  models: NotificationsModels,
  logger: Logger,
  batch = 100,
  delayMs = 1000,
) {
  const doomed = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let flushing: Promise<void> | null = null;

  async function flush(): Promise<void> {
    while (flushing) await flushing;
    if (!doomed.size) return;
    const ids = [...doomed];
    flushing = (
      ids.length === 1
        ? models.SmsQueue.deleteOne({ _id: ids[0] })
        : models.SmsQueue.deleteMany({ _id: { $in: ids } })
    )
      .exec()
      .then(() => {
        for (const id of ids) doomed.delete(id);
      })
      .catch((err: unknown) => {
        logger.warn(
          { count: ids.length, err: (err as Error).message },
          'deleting settled queue items failed; will retry',
        );
      })
      .finally(() => {
        flushing = null;
      });
    await flushing;
  }

  return {
    batch,
    /** Items waiting for deletion. */
    get size() {
      return doomed.size;
    },
    has: (id: string) => doomed.has(id),
    /** Marks a settled message's queue item for deletion. */
    add(id: string) {
      doomed.add(id);
      if (doomed.size >= batch) void flush();
      else
        timer ??= setTimeout(() => {
          timer = null;
          void flush();
        }, delayMs);
    },
    /** Deletes every item marked so far. */
    flush,
    async stop() {
      if (timer) clearTimeout(timer);
      timer = null;
      await flush();
    },
  };
}
