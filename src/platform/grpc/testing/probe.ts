import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Client,
  credentials,
  loadPackageDefinition,
  type ServerUnaryCall,
  type ServiceClientConstructor,
  type ServiceError,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_OPTIONS } from '../proto.js';

/** A test service for the server adapter: Echo answers after `delay_ms` (-1: never), with `code`. */
export const PROBE_PROTO = `syntax = "proto3";
package probe;
service Probe { rpc Echo (Req) returns (Rep); }
message Req { string text = 1; int32 delay_ms = 2; int32 code = 3; }
message Rep { string text = 1; }
`;

export interface ProbeRequest {
  text: string;
  delay_ms: number;
  code: number;
}

/** Writes the probe proto to a fresh temp dir and returns its path. */
export function writeProbeProto(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'peaklab-probe-')), 'probe.proto');
  writeFileSync(path, PROBE_PROTO);
  return path;
}

/** The handler: delays with a timer, fails with `code` if not 0, never answers if delay is -1. */
export function probeHandlers(): UntypedServiceImplementation {
  return {
    Echo(call: ServerUnaryCall<ProbeRequest, { text: string }>, callback: sendUnaryData<{ text: string }>) {
      const { text, delay_ms, code } = call.request;
      if (delay_ms < 0) return;
      setTimeout(() => {
        if (code !== 0) callback({ code, details: `asked for ${code}` });
        else callback(null, { text });
      }, delay_ms);
    },
  };
}

export interface ProbeClient extends Client {
  Echo(
    req: Partial<ProbeRequest>,
    opts: { deadline: number },
    cb: (err: ServiceError | null, rep?: { text: string }) => void,
  ): void;
}

/** A client of the probe service at `address`. */
export function probeClient(protoPath: string, address: string): ProbeClient {
  const pkg = loadPackageDefinition(loadSync(protoPath, PROTO_OPTIONS)) as unknown as {
    probe: { Probe: ServiceClientConstructor };
  };
  return new pkg.probe.Probe(address, credentials.createInsecure()) as unknown as ProbeClient;
}

/** One Echo call: resolves to the text, or to the error's status code. */
export function echo(
  client: ProbeClient,
  req: Partial<ProbeRequest>,
  deadlineMs = 10_000,
): Promise<string | number> {
  return new Promise((resolve) =>
    client.Echo(req, { deadline: Date.now() + deadlineMs }, (err, rep) =>
      resolve(err ? err.code : rep!.text),
    ),
  );
}
