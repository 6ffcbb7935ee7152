// Development check: the stack and every gateway start, and answer the two operations alike.
import { startBenchStack } from './stack/setup.ts';
import { gatewayTargets, startGateway } from './gateways/targets.ts';
import { operationNames, requestBody } from './operations.ts';

const stack = await startBenchStack({
  backend: (process.argv[2] as 'sqlite') ?? 'sqlite',
  run: 'smoke',
});
try {
  for (const t of gatewayTargets) {
    const gw = await startGateway(t, {
      root: stack.root,
      logDir: stack.logDir,
      supergraphPath: stack.supergraphPath,
      urls: stack.subgraphs.urls,
      secret: stack.secrets.internal,
      logLevel: 'warn',
      manifestPath: stack.manifestPath,
    });
    for (const op of operationNames) {
      const res = await fetch(gw.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${stack.seeded.token}`,
        },
        body: requestBody(op, stack.seeded.lawyerId, t === 'ours'),
      });
      const text = await res.text();
      console.log(t, op, res.status, text.length, text.slice(0, 160));
    }
    console.log(await stack.subgraphs.counts());
    await gw.process.stop();
  }
} finally {
  await stack.stop();
}
