// The reading subgraph's metrics (served on METRICS_PORT): package builds, download bytes and
// 在线阅卷's page images.
import { counter, histogram, secondsBuckets } from '@yuejuan/runtime';

export const packageBuildsTotal = counter({
  name: 'yuejuan_package_builds_total',
  help: 'Package builds that ended, by outcome (ready, failed, superseded).',
  labelNames: ['outcome'],
});
export const packageBuildSeconds = histogram({
  name: 'yuejuan_package_build_seconds',
  help: 'Time to build a package (text index, 遮蔽, watermark, encryption, zip).',
  buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
});
export const downloadBytesTotal = counter({
  name: 'yuejuan_download_bytes_total',
  help: 'Bytes of case-file packages sent to lawyers.',
});
export const readerPageSeconds = histogram({
  name: 'yuejuan_reader_page_seconds',
  help: '在线阅卷 page requests, by kind (view, thumbnail, prefetch, preview) and outcome (ok or the error code).',
  labelNames: ['kind', 'outcome'],
  buckets: secondsBuckets,
});
