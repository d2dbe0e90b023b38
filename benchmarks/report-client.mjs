// Turns the JSON of benchmarks/run-client.sh (client-roundtrip.jsonl, client-fanout.json, client-idle.json) into
// markdown tables: round-trip percentiles of both SDKs and their ratio, fan-out rates, idle-connection costs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = process.argv[2];
const lines = (f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const rt = lines('client-roundtrip.jsonl');
const java = rt.find((r) => r.impl === 'java');
const ts = rt.find((r) => r.impl === 'ts');
const fan = lines('client-fanout.json').pop();
const idle = lines('client-idle.json').pop();

const int = (n) => Math.round(n).toLocaleString('en-US');
const one = (n) => n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const ratio = (a, b) => (b ? (a / b).toFixed(2) : 'n/a');
const out = [];
out.push(`Client benchmarks on loopback (${os.cpus().length} cores, ${os.cpus()[0].model}, ${new Date().toISOString().slice(0, 10)}; `
  + `${java.runtime}${ts ? ', ' + ts.runtime + ', ' + ts.sdk : ''})`);
out.push('');
out.push(`Reducer round trip: \`update_person\` on one row, one call in flight, from the call until both the call's `
  + `future/promise completed and \`onUpdate\` ran for that row; ${int(java.iterations)} measured calls after `
  + `${int(java.warmup)} warm-up calls per client, both clients against the same ${java.server} sandbox, TypeScript first `
  + '(after a discarded TypeScript run that warms the server).');
out.push('');
const loads = [java, ts, fan, idle].filter((r) => r && r.loadAverage != null).map((r) => r.loadAverage);
if (loads.length) {
  out.push(`Machine load (1-minute load average when each result was taken): ${loads.join(', ')}. `
    + 'Anything else running on these cores shows up in the latency tails (p99.9, max).');
  out.push('');
}
out.push('| µs | this SDK (Java) | official TypeScript SDK | Java / TS | target |');
out.push('|---|---:|---:|---:|---:|');
for (const [label, key, target] of [['p50', 'p50Us', '≤ 0.50'], ['p90', 'p90Us', ''], ['p99', 'p99Us', '≤ 0.50'],
  ['p99.9', 'p999Us', ''], ['max', 'maxUs', ''], ['mean', 'meanUs', '']]) {
  const t = ts ? ts[key] : null;
  const r = ts ? ratio(java[key], t) : 'n/a';
  const bold = target && ts ? (java[key] / t <= 0.5 ? `**${r}**` : `**${r}** (missed)`) : r;
  out.push(`| ${label} | ${one(java[key])} | ${t == null ? 'n/a' : one(t)} | ${bold} | ${target} |`);
}
out.push(`| calls/s, one in flight | ${int(java.callsPerSecond)} | ${ts ? int(ts.callsPerSecond) : 'n/a'} | | |`);
if (java.contextSwitchesPerCall != null) {
  out.push(`| context switches per call, all threads of the process${java.server === 'inprocess' ? ' (Java: the sandbox\'s threads included)' : ''} `
    + `| ${java.contextSwitchesPerCall} | ${ts?.contextSwitchesPerCall ?? 'n/a'} | | |`);
}
out.push(`| p50 / p99 seen by the calling thread (\`join()\` / \`await\`) | ${one(java.callerp50Us)} / ${one(java.callerp99Us)} `
  + `| ${ts ? one(ts.callerp50Us) + ' / ' + one(ts.callerp99Us) : 'n/a'} | ${ts ? ratio(java.callerp50Us, ts.callerp50Us) + ' / ' + ratio(java.callerp99Us, ts.callerp99Us) : ''} | |`);
out.push('');
out.push(`Update fan-out: one watcher connection subscribed to \`person\` (${int(fan.rows)} rows); a second connection calls `
  + `\`update_person\` round-robin with ${fan.window} calls in flight, one transaction per call; ${int(fan.updates)} updates `
  + `measured after a warm-up round; the sandbox in its own process.`);
out.push('');
out.push('| fan-out | updates/s applied by the watcher | |');
out.push('|---|---:|---|');
const lag = fan.live.lagMs <= 0 ? `the watcher kept up (its last callback ${-fan.live.lagMs} ms before the writer's last ack)`
  : `the watcher's last callback ${fan.live.lagMs} ms after the writer's last ack`;
out.push(`| live (first to last \`onUpdate\`) | ${int(fan.live.updatesPerSecond)} | writer ${int(fan.live.writerCallsPerSecond)} calls/s; `
  + `${lag}: bounded by the sandbox and the writer, not by the watcher |`);
out.push(`| backlog (callback thread held until all ${int(fan.updates)} frames arrived, then drained) | `
  + `${int(fan.backlog.updatesPerSecond)} | what the client alone applies: decode, cache, \`onUpdate\` |`);
out.push('');
out.push(`Idle connections: ${int(idle.requested)} anonymous connections from one JVM, the sandbox in its own process `
  + `(parallel connects; ${idle.connected} CONNECTED in ${idle.connectSeconds} s, ${idle.failed} failed).`);
out.push('');
out.push('| idle connections | value | target |');
out.push('|---|---:|---:|');
const perConnTarget = idle.heapPerConnectionKiB >= 100 ? 'below 100 KiB: **missed**'
  : idle.heapPerConnectionKiB >= 98 ? 'below 100 KiB: at the limit (< 2 % margin)' : 'below 100 KiB: met';
out.push(`| heap per idle connection (used heap after full GCs, ${idle.heapBeforeMiB} → ${idle.heapAfterMiB} MiB) | `
  + `**${one(idle.heapPerConnectionKiB)} KiB** | ${perConnTarget} |`);
if (idle.steadyHeapPerConnectionKiB != null) {
  out.push(`| heap per idle connection after ${idle.steadyAfterSeconds} s idle | ${one(idle.steadyHeapPerConnectionKiB)} KiB | |`);
}
out.push(`| resident memory (RSS) per connection, thread stacks included | ${one(idle.rssPerConnectionKiB)} KiB | |`);
const byName = (m) => Object.entries(m).map(([k, v]) => `${v} \`${k}\``).join(', ');
out.push(`| threads, all ${int(idle.connected)} connected | ${int(idle.threadsAfter)} (${(idle.threadsAfter - idle.threadsBefore) / Math.max(1, idle.connected)} per connection) | ${byName(idle.threadsByName)} |`);
if (idle.steadyThreads != null) {
  out.push(`| threads after ${idle.steadyAfterSeconds} s idle | ${int(idle.steadyThreads)} | ${byName(idle.steadyThreadsByName)} |`);
}
out.push(`| threads 6 s after closing them all (and full GCs) | ${int(idle.threadsAfterClose6s)} | ${byName(idle.threadsAfterCloseByName)} |`);
console.log(out.join('\n'));
