import type { NotificationsConfig } from '../config.ts';
import type { NotificationsModels } from '../models/index.ts';
import { createAliyunProvider } from './aliyun.ts';
import { createDevSink } from './dev-sink.ts';
import { createTencentProvider } from './tencent.ts';
import type { SmsProvider } from './types.ts';

/** The SMS provider the configuration names (config.ts has checked its keys are there). */
export function createProvider(
  config: NotificationsConfig,
  models: NotificationsModels,
): SmsProvider {
  const common = { signName: config.SMS_SIGN_NAME, templateIds: config.SMS_TEMPLATE_IDS };
  switch (config.SMS_PROVIDER) {
    case 'aliyun':
      return createAliyunProvider({
        ...common,
        endpoint: config.SMS_ALIYUN_ENDPOINT,
        accessKeyId: config.SMS_ALIYUN_ACCESS_KEY_ID!,
        accessKeySecret: config.SMS_ALIYUN_ACCESS_KEY_SECRET!,
      });
    case 'tencent':
      return createTencentProvider({
        ...common,
        endpoint: config.SMS_TENCENT_ENDPOINT,
        region: config.SMS_TENCENT_REGION,
        sdkAppId: config.SMS_TENCENT_SDK_APP_ID!,
        secretId: config.SMS_TENCENT_SECRET_ID!,
        secretKey: config.SMS_TENCENT_SECRET_KEY!,
      });
    default:
      return createDevSink(models);
  }
}
export * from './types.ts';
export { parseAliyunReports } from './aliyun.ts';
