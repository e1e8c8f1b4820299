import {
  type Client,
  type ClientReadableStream,
  credentials,
  loadPackageDefinition,
  type ServiceClientConstructor,
  type ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_OPTIONS, shippedProto } from '../proto.js';

interface HealthReply {
  status: string;
}

export interface HealthClient extends Client {
  Check(
    req: { service: string },
    opts: { deadline: number },
    cb: (err: ServiceError | null, rep?: HealthReply) => void,
  ): void;
  Watch(req: { service: string }): ClientReadableStream<HealthReply>;
}

/** A grpc.health.v1 client built from the shipped health.proto, as any gRPC health prober is. */
export function healthClient(address: string): HealthClient {
  const pkg = loadPackageDefinition(
    loadSync(shippedProto('grpc/health/v1/health.proto'), PROTO_OPTIONS),
  ) as unknown as {
    grpc: { health: { v1: { Health: ServiceClientConstructor } } };
  };
  return new pkg.grpc.health.v1.Health(address, credentials.createInsecure()) as unknown as HealthClient;
}

/** Check(service): resolves to the status name, or to the error's code. */
export function check(client: HealthClient, service: string): Promise<string | number> {
  return new Promise((resolve) =>
    client.Check({ service }, { deadline: Date.now() + 5000 }, (err, rep) =>
      resolve(err ? err.code : rep!.status),
    ),
  );
}
