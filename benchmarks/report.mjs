// Turns the JMH and TypeScript results of benchmarks/run.sh into a table of rows/s and ratios.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = process.argv[2];
const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8').trim().split('\n').pop());
const tsSdk = read('ts-sdk.json');
const tsRows = read('ts-rows.json');
const jmh = JSON.parse(fs.readFileSync(path.join(dir, 'jmh.json'), 'utf8'));
const java = Object.fromEntries(jmh.map((b) => [b.benchmark.split('.').pop(),
  { score: b.primaryMetric.score, error: b.primaryMetric.scoreError }]));

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const rows = [
  ['Java `rowsWithCacheKeys`: every row checked, a Row and its cache key', java.rowsWithCacheKeys, tsSdk,
    'TS `sdk` mode: the SDK\'s own path (rows + base64 row ids)'],
  ['Java `rowsWithEveryColumnRead`: as above, and all 6 columns read into Java values', java.rowsWithEveryColumnRead, tsRows,
    'TS `rows` mode: message + row deserializer only, objects for all fields'],
];
const out = [];
out.push(`Decoding one TransactionUpdate frame of 10,000 rows (${os.cpus().length} cores, ${os.cpus()[0].model}, ` +
  `${new Date().toISOString().slice(0, 10)}; JDK ${process.env.JAVA_VERSION ?? ''}${tsSdk.node ? ', Node ' + tsSdk.node : ''})`);
out.push('');
out.push('| Java | rows/s | baseline | rows/s | ratio |');
out.push('|---|---:|---|---:|---:|');
for (const [name, j, ts, tsName] of rows) {
  out.push(`| ${name} | ${fmt(j.score)} ± ${fmt(j.error)} | ${tsName} | ${fmt(ts.rowsPerSecond)} | **${(j.score / ts.rowsPerSecond).toFixed(1)}x** |`);
}
console.log(out.join('\n'));
