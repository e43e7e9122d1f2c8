import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { protoDir, protoPath } from '@modelserving/contracts';
import { defaultChannelOptions, DEFAULT_MAX_MESSAGE_BYTES } from './channel-options';

export interface ServiceRegistration {
  /** Fully qualified name, e.g. `modelserving.v1.ModelServingService` (used for health). */
  readonly name: string;
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  readonly services: readonly ServiceRegistration[];
  /** `host:port`; port 0 picks a free port (tests). */
  readonly address?: string;
  /** Proto files (relative to proto/) to expose through server reflection. */
  readonly reflectionProtos?: readonly string[];
  readonly maxMessageBytes?: number;
  /** Server credentials (the service kit's `serverCredentials()`); insecure when absent. */
  readonly credentials?: ServerCredentials;
}

/**
 * A grpc-js server with the standard health service and server reflection. `stop()` flips health to
 * NOT_SERVING first so load balancers stop sending work, then drains in-flight calls for up to the drain
 * period before cancelling what is left.
 */
export class GrpcServer {
  readonly health: HealthImplementation;
  private readonly server: Server;
  private boundPort = 0;
  private readonly serviceNames: string[];

  private constructor(server: Server, health: HealthImplementation, serviceNames: string[]) {
    this.server = server;
    this.health = health;
    this.serviceNames = serviceNames;
  }

  static async start(options: GrpcServerOptions): Promise<GrpcServer> {
    const server = new Server(defaultChannelOptions(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES));
    for (const s of options.services) server.addService(s.definition, s.implementation);
    const names = options.services.map((s) => s.name);
    const health = new HealthImplementation(
      Object.fromEntries([['', 'NOT_SERVING'], ...names.map((n) => [n, 'NOT_SERVING'])]),
    );
    health.addToServer(server);
    if (options.reflectionProtos && options.reflectionProtos.length > 0) {
      const pkg = loadSync(
        options.reflectionProtos.map((p) => protoPath(p)),
        {
          includeDirs: [protoDir()],
          keepCase: true,
          longs: String,
          enums: String,
          defaults: true,
          oneofs: true,
        },
      );
      new ReflectionService(pkg).addToServer(server);
    }
    const g = new GrpcServer(server, health, names);
    const address = options.address ?? '0.0.0.0:0';
    g.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, options.credentials ?? ServerCredentials.createInsecure(), (err, port) =>
        err ? reject(err) : resolve(port),
      );
    });
    g.setServing(true);
    return g;
  }

  get port(): number {
    return this.boundPort;
  }

  setServing(serving: boolean): void {
    const s = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', s);
    for (const n of this.serviceNames) this.health.setStatus(n, s);
  }

  /** Graceful stop: NOT_SERVING, then drain for up to `drainMs`, then force. */
  async stop(drainMs = 5_000): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, drainMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  forceStop(): void {
    this.server.forceShutdown();
  }
}
