// Reads config, starts the gateway: nothing else. Telemetry goes off before @apollo/gateway loads.
import './telemetry-off.ts';
import { runService } from '@yuejuan/platform';
import { loadGatewayConfig } from './config.ts';
import { createGateway } from './server.ts';

await runService('gateway', loadGatewayConfig, async (config, logger) => {
  const gateway = createGateway(config, logger);
  await gateway.start();
  return () => gateway.stop();
});
