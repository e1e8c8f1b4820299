// The seed's k6 client for the gRPC counter, against `counter` (proto/counter.proto):
// each iteration opens a new connection, invokes counter.incrementCounter/increment with
// {value: 1}, and closes it, as the seed's testingscript.js does.
//
//   k6 run -e ADDR=127.0.0.1:50055 -e VUS=100 -e DURATION=30s deploy/k6/grpc-counter.js
//
// The peaklab equivalent (closed model, same proto and call; it keeps its connections open):
//   peaklab load grpc://127.0.0.1:50055 --proto proto/counter.proto \
//     --call counter.incrementCounter/increment --data '{"value":1}' --vus 100 --duration 30s

import { check } from 'k6';
import grpc from 'k6/net/grpc';

const ADDR = __ENV.ADDR || '127.0.0.1:50055';

const client = new grpc.Client();
// Import paths are relative to this script: the proto ships at the package root.
client.load(['../../proto'], 'counter.proto');

export const options = {
  vus: Number(__ENV.VUS || 100),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    grpc_req_duration: ['p(99)<200'],
    checks: ['rate>0.99'],
  },
};

export default function () {
  client.connect(ADDR, { plaintext: true });
  const res = client.invoke('counter.incrementCounter/increment', { value: 1 });
  check(res, {
    'status is OK': (r) => r && r.status === grpc.StatusOK,
    'reply is "Incremented value is N"': (r) => r && /^Incremented value is \d+$/.test(r.message.message),
  });
  client.close();
}
