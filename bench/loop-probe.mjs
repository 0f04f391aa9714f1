// Preloaded into the server by `npm run load` (node --import): samples the
// event-loop delay and writes the last second's figures to LOOP_PROBE_FILE,
// so the load test can watch the server's loop without the server knowing.
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.LOOP_PROBE_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const seconds = [];
  setInterval(() => {
    seconds.push({ at: Date.now(), p99_ms: histogram.percentile(99) / 1e6, max_ms: histogram.max / 1e6 });
    histogram.reset();
    fs.writeFileSync(file, JSON.stringify(seconds.slice(-600)));
  }, 1000).unref();
}
