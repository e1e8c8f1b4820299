import {
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadService, shippedProto } from './proto.js';

/** The statuses a server sets; SERVICE_UNKNOWN is only ever sent to a Watch of an unknown name. */
export type ServingStatus = 'SERVING' | 'NOT_SERVING';

interface HealthRequest {
  service: string;
}
interface HealthResponse {
  status: ServingStatus | 'SERVICE_UNKNOWN';
}

/** The standard health service (`grpc.health.v1.Health`), ready for `Server.addService`. */
export interface HealthService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
  /** Sets the status of `service` ("" = the whole server) and tells its watchers. */
  set(service: string, servingStatus: ServingStatus): void;
  /** The current status of `service`, or undefined if it was never set. */
  get(service: string): ServingStatus | undefined;
  /**
   * Going down: every status becomes NOT_SERVING (as grpc-go does), watchers are told, then their
   * streams end, so open Watch calls do not hold a graceful shutdown until its deadline.
   */
  shutdown(): void;
}

/** Watch streams are long-lived; this bounds the memory a flood of them can hold. */
const MAX_WATCHERS = 1000;
/** Longest service name accepted: real names are "package.Service", far shorter. */
const MAX_NAME = 512;

/**
 * Creates the health service from the shipped `proto/grpc/health/v1/health.proto`, following
 * https://github.com/grpc/grpc/blob/master/doc/health-checking.md: Check of an unknown name is
 * NOT_FOUND; Watch sends the current status (SERVICE_UNKNOWN for an unknown name) and then every
 * change. The overall server ("") starts SERVING.
 */
export function createHealthService(): HealthService {
  const definition = loadService(shippedProto('grpc/health/v1/health.proto'), 'grpc.health.v1.Health');
  const statuses = new Map<string, ServingStatus>([['', 'SERVING']]);
  const watchers = new Map<string, Set<ServerWritableStream<HealthRequest, HealthResponse>>>();
  let watcherCount = 0;
  let down = false;

  const notify = (service: string) => {
    const set = watchers.get(service);
    if (set === undefined) return;
    const current = statuses.get(service) ?? 'SERVICE_UNKNOWN';
    for (const w of set) w.write({ status: current });
  };

  const implementation: UntypedServiceImplementation = {
    Check(call: ServerUnaryCall<HealthRequest, HealthResponse>, callback: sendUnaryData<HealthResponse>) {
      const name = call.request.service;
      if (name.length > MAX_NAME) {
        callback({
          code: status.INVALID_ARGUMENT,
          details: `service name longer than ${MAX_NAME} characters`,
        });
        return;
      }
      const current = statuses.get(name);
      if (current === undefined) callback({ code: status.NOT_FOUND, details: `unknown service ${name}` });
      else callback(null, { status: current });
    },
    Watch(call: ServerWritableStream<HealthRequest, HealthResponse>) {
      const name = call.request.service;
      if (name.length > MAX_NAME || watcherCount >= MAX_WATCHERS || down) {
        call.destroy(
          Object.assign(new Error(down ? 'server is shutting down' : 'too many health watchers'), {
            code: down ? status.UNAVAILABLE : status.RESOURCE_EXHAUSTED,
          }),
        );
        return;
      }
      let set = watchers.get(name);
      if (set === undefined) {
        set = new Set();
        watchers.set(name, set);
      }
      set.add(call);
      watcherCount++;
      const forget = () => {
        if (set.delete(call)) watcherCount--;
      };
      call.on('cancelled', forget);
      call.on('close', forget);
      call.write({ status: statuses.get(name) ?? 'SERVICE_UNKNOWN' });
    },
  };

  return {
    definition,
    implementation,
    set(service, servingStatus) {
      if (down) return;
      statuses.set(service, servingStatus);
      notify(service);
    },
    get: (service) => statuses.get(service),
    shutdown() {
      if (down) return;
      down = true;
      for (const name of statuses.keys()) statuses.set(name, 'NOT_SERVING');
      for (const [name, set] of watchers) {
        notify(name);
        for (const w of set) w.end();
        set.clear();
      }
      watcherCount = 0;
    },
  };
}
