import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { PeaklabError } from '../../shared/errors.js';

/**
 * How every peaklab server and test client decodes protobuf messages: field names as written in
 * the .proto (the seed's `incrementBy.value`), 64-bit integers as decimal strings (a JS number
 * loses precision above 2^53), enums by name, and proto3 defaults filled in.
 */
export const PROTO_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

let root: string | undefined;

/**
 * The package's root: the nearest directory above this module that holds a package.json. The same
 * walk works from `src/` (tsx), from `dist/src/` (tsc output, one level deeper) and from an
 * installed copy under node_modules/peaklab, which is why the path is not a fixed `../../..`.
 */
function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new PeaklabError('PL_FILE_INVALID', 'cannot find the peaklab package root (no package.json above)');
}

/**
 * Absolute path of a .proto file shipped in the package's `proto/` folder, e.g.
 * `shippedProto('counter.proto')`. Protos are read at run time, not compiled in.
 * Throws PeaklabError PL_FILE_INVALID when the file is not there (a broken install).
 */
export function shippedProto(relative: string): string {
  const path = join(packageRoot(), 'proto', relative);
  if (!existsSync(path)) {
    throw new PeaklabError('PL_FILE_INVALID', `the shipped proto ${relative} is missing (looked at ${path})`);
  }
  return path;
}

/**
 * Loads one service from a .proto file: `service` is its fully qualified name
 * ("counter.incrementCounter"). Extra include directories resolve imports.
 * Throws PeaklabError PL_PROTO_INVALID if the file does not parse or holds no such service.
 */
export function loadService(
  protoPath: string,
  service: string,
  includeDirs: string[] = [],
): ServiceDefinition {
  let definitions: ReturnType<typeof loadSync>;
  try {
    definitions = loadSync(protoPath, { ...PROTO_OPTIONS, includeDirs });
  } catch (err) {
    throw new PeaklabError('PL_PROTO_INVALID', `cannot load ${protoPath}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const found = definitions[service];
  // A message or enum type carries a `format` field; a service is a map of method definitions.
  if (found === undefined || 'format' in found) {
    const services = Object.entries(definitions)
      .filter(([, d]) => !('format' in d))
      .map(([name]) => name);
    throw new PeaklabError(
      'PL_PROTO_INVALID',
      `${protoPath} has no service ${service} (services: ${services.join(', ') || 'none'})`,
    );
  }
  return found as ServiceDefinition;
}
