// k6 version of the seed's gRPC counter test, with virtual users as the seed does:
//
//   k6 run -e ADDR=127.0.0.1:50055 -e VUS=50 -e DURATION=30s deploy/k6/grpc-counter.js
//
// The peaklab equivalent (closed model, same proto):
//   peaklab load grpc://127.0.0.1:50055 --proto deploy/k6/counter.proto \
//     --call counter.Counter/Add --data '{"value":1,"id":"{{uuid}}"}' --vus 50 --duration 30s

import { check } from 'k6';
import grpc from 'k6/net/grpc';

const ADDR = __ENV.ADDR || '127.0.0.1:50055';

const client = new grpc.Client();
client.load([], 'counter.proto');

export const options = {
  vus: Number(__ENV.VUS || 50),
  duration: __ENV.DURATION || '30s',
  thresholds: {
    grpc_req_duration: ['p(99)<200'],
    checks: ['rate>0.99'],
  },
};

export default function () {
  if (__ITER === 0) client.connect(ADDR, { plaintext: true });
  const res = client.invoke('counter.Counter/Add', { value: 1, id: `${__VU}-${__ITER}` });
  check(res, { 'status is OK': (r) => r && r.status === grpc.StatusOK });
}

export function teardown() {
  client.close();
}
