// Benchmarks: ratios measured side by side in one run (this machine is shared and noisy). Never run as
// timed tests. Usage: node tools/bench/dist/main.js [throughput] [latency] [swap] [pmml] [pfa] [tensorflow] [models] [collector] [restore] [--seconds N]
import { parseArgs } from 'node:util';
import { collectorBench } from './collector-bench';
import { hotSwapBench } from './hot-swap';
import { latencyBench } from './latency';
import { manyModelsBench } from './many-models';
import { tensorflowBench } from './tensorflow-bench';
import { pmmlBench } from './pmml-bench';
import { pfaBench } from './pfa-bench';
import { restoreBench } from './restore';
import { throughputBench } from './throughput';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      seconds: { type: 'string', default: '5' },
      batch: { type: 'string', default: '512' },
      window: { type: 'string', default: '8' },
      rates: { type: 'string', default: '250,500,1000,2000' },
      swaps: { type: 'string', default: '100' },
      'swap-rate': { type: 'string', default: '2000' },
      models: { type: 'string', default: '100000' },
      'collector-requests': { type: 'string', default: '200000' },
      decider: { type: 'string', default: 'majority' },
      'redis-url': { type: 'string' },
    },
  });
  const which =
    positionals.length > 0 ? new Set(positionals) : new Set(['throughput', 'latency', 'swap', 'pmml']);
  const seconds = Number(values.seconds);
  console.log(`# modelserving benchmarks (${new Date().toISOString()}, node ${process.version})`);
  if (which.has('throughput'))
    await throughputBench({ batchSize: Number(values.batch), window: Number(values.window), seconds });
  if (which.has('latency'))
    await latencyBench({
      rates: values.rates!.split(',').map(Number),
      seconds: Math.max(2, Math.min(seconds, 5)),
    });
  if (which.has('swap'))
    await hotSwapBench({ swaps: Number(values.swaps), rate: Number(values['swap-rate']) });
  if (which.has('tensorflow')) await tensorflowBench({ seconds: Math.max(1, Math.min(seconds, 3)) });
  if (which.has('pmml')) await pmmlBench();
  if (which.has('pfa')) await pfaBench();
  if (which.has('models')) await manyModelsBench({ models: Number(values.models) });
  if (which.has('restore'))
    await restoreBench({
      models: Number(values.models),
      ...(values['redis-url'] ? { redisUrl: values['redis-url'] } : {}),
    });
  if (which.has('collector'))
    await collectorBench({ requests: Number(values['collector-requests']), decider: values.decider! });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
