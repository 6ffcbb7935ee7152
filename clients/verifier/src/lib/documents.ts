// Selections the verifier's pages share.
import { graphql, type ResultOf } from '@yuejuan/client-shared/graphql';

/** What a scanned QR asks the lawyer to authorise (site, purpose, browser, IP, time). */
export const ScanContextFields = graphql(`
  fragment VerifierScanContext on ScanContext {
    kind
    site
    purpose
    browser
    ip
    requestedAt
    expiresAt
  }
`);
export type ScanContext = ResultOf<typeof ScanContextFields>;
