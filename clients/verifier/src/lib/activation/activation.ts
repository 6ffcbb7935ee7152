// What the three activation steps share: the activation as the API answers it, and how a
// failed one is told to the lawyer.
import { ApiError } from '@yuejuan/client-shared';
import { graphql, type ResultOf } from '@yuejuan/client-shared/graphql';

export const ActivationFields = graphql(`
  fragment VerifierActivation on Activation {
    id
    status
    failureReason
    supportHotline
    expiresAt
  }
`);
export type Activation = ResultOf<typeof ActivationFields>;

/** 登录's fields, as typed. */
export interface LawyerEntries {
  name: string;
  idNumber: string;
  licenceNumber: string;
}

/** The error to show for a FAILED activation, else null. */
export function failure(a: Activation): ApiError | null {
  if (a.status !== 'FAILED') return null;
  // The server's reason already says what to re-check and names the hotline (issue 15: it was said twice).
  return new ApiError(
    'ACTIVATION_FAILED',
    a.failureReason ??
      `验证未通过：请仔细核对输入信息。如有疑问，请拨打客服热线 ${a.supportHotline}。`,
  );
}
