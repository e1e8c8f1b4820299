/**
 * The platform's gRPC server adapter: a @grpc/grpc-js server with the standard health service,
 * RED metrics (go-grpc-prometheus names) from a server interceptor, an optional per-call hook for
 * tracing, and a graceful shutdown bounded by a deadline. Protos ship in the package's `proto/`.
 */
export { grpcCodeLabel } from './codes.js';
export { createHealthService, type HealthService, type ServingStatus } from './health.js';
export {
  type CallInfo,
  type CallObserver,
  type CallOutcome,
  type CallTracker,
  createServerInterceptor,
  GRPC_BUCKETS,
} from './interceptor.js';
export { loadService, PROTO_OPTIONS, shippedProto } from './proto.js';
export { type GrpcServeOptions, serveGrpc } from './serve.js';
export {
  type GrpcCloseReport,
  type GrpcServerHandle,
  type GrpcServerOptions,
  type GrpcServiceRegistration,
  startGrpcServer,
} from './server.js';
