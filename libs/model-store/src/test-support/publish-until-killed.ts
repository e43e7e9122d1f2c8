// Child process of the SIGKILL test: opens the store in argv[2] and publishes deploys (fsync on) as fast as
// it can, printing each acknowledged position, until it is killed.
import { EmbeddedModelStore } from '../embedded-model-store';
import { ModelDescriptor_ModelType } from '@modelserving/contracts';

async function main(): Promise<void> {
  const dir = process.argv[2] as string;
  const store = await EmbeddedModelStore.open({ dir, compactMinBytes: 16 * 1024 });
  for (let i = 0; ; i++) {
    const name = `m${i % 300}`;
    const position = await store.publish({
      deploy: {
        name,
        description: `v${i}`,
        dataType: 'wine',
        modelType: ModelDescriptor_ModelType.PMML,
        data: Buffer.from(`<PMML name="${name}"/>`),
        metadata: {},
      },
    });
    process.stdout.write(`${position} ${name} v${i}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
