// k6 version of `peaklab load http://127.0.0.1:8080/orders --rate sine:0..100@60s --duration 120s`:
// the seed's sine from 0 to 100 RPS against POST /orders, as ramping-arrival-rate stages.
//
//   k6 run -e BASE_URL=http://127.0.0.1:8080 -e PERIOD=60 -e DURATION=120 deploy/k6/orders-sine.js
//
// k6 can only ramp linearly between stages, so the sine is sampled every STEP seconds and k6 ramps
// between the samples: with STEP=2 and a 60 s period the started count is within ~0.5% of the sine's
// integral. peaklab schedules from the exact integral instead, with no stages.

import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';

const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:8080';
const MIN = Number(__ENV.MIN || 0);
const MAX = Number(__ENV.MAX || 100);
const PERIOD = Number(__ENV.PERIOD || 60);
const DURATION = Number(__ENV.DURATION || 120);
const STEP = Number(__ENV.STEP || 2);

// R(t) = mid + amp·sin(2πt/P − π/2): starts at the minimum, like peaklab's sine profile.
function rateAt(t) {
  const mid = (MIN + MAX) / 2;
  const amp = (MAX - MIN) / 2;
  return mid + amp * Math.sin((2 * Math.PI * t) / PERIOD - Math.PI / 2);
}

function sineStages() {
  const stages = [];
  for (let t = STEP; t <= DURATION; t += STEP) {
    stages.push({ target: Math.round(rateAt(t)), duration: `${STEP}s` });
  }
  return stages;
}

export const options = {
  scenarios: {
    orders_sine: {
      executor: 'ramping-arrival-rate',
      startRate: Math.round(rateAt(0)),
      timeUnit: '1s',
      preAllocatedVUs: 50,
      maxVUs: 500,
      stages: sineStages(),
    },
  },
  // The same pass/fail gates as `peaklab load --threshold ...`; k6 also exits 99 when one fails.
  thresholds: {
    http_req_duration: ['p(99)<200'],
    http_req_failed: ['rate<0.01'],
    dropped_iterations: ['count==0'],
  },
};

const USERS = ['maksim.konovalov', 'anna.petrova', 'ivan.sidorov', 'olga.ivanova'];
// One key per iteration and run: a retried request can never create a second order, and the script
// needs no remote module (the API refuses unknown body fields, so the key travels as a header).
const RUN = `${Date.now().toString(36)}`;

export default function () {
  const body = JSON.stringify({
    product_id: String(Math.floor(Math.random() * 101)),
    count: String(1 + Math.floor(Math.random() * 100)),
    username: USERS[Math.floor(Math.random() * USERS.length)],
  });
  const res = http.post(`${BASE_URL}/orders`, body, {
    headers: {
      'Content-Type': 'application/json',
      'Idempotency-Key': `k6-${RUN}-${exec.scenario.iterationInTest}`,
    },
  });
  check(res, { 'order accepted': (r) => r.status === 200 });
}
