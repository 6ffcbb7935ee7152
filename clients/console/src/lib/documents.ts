// Selections the console's pages share between a load, a mutation's answer and a subscription.
import { graphql, type ResultOf } from '@yuejuan/client-shared/graphql';

/** A case-file package as 卷宗制作与下载审计 shows it, with its downloads. */
export const PackageCard = graphql(`
  fragment ConsolePackageCard on CaseFilePackage {
    id
    status
    progress
    fileName
    sizeBytes
    sha256
    expiresAt
    lockedUntil
    volumes {
      id
      title
      supplementedAt
    }
    downloads {
      id
      startedAt
      ip
      bytesSent
      completed
      lawyer {
        id
        name
      }
    }
    readingActivity {
      volumeTitle
      pagesViewed
      views
      firstAt
      lastAt
      minutes
      ips
      lawyer {
        id
        name
      }
    }
  }
`);
export type PackageCard = ResultOf<typeof PackageCard>;
