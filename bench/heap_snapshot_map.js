// The heap-snapshot benchmark's program (bench/heap_snapshot.py runs it in
// node and in sable): a Map of N small objects, then one writeHeapSnapshot.
// Prints BUILT when the map is ready, then DONE <ms> after the snapshot.
// Arguments: FILE [N] [fork].
const v8 = require('v8');
const n = Number(process.argv[3] || 1000000);
const m = new Map();
for (let i = 0; i < n; i++) m.set('k' + i, { id: i, name: 'item-' + i, tags: [i & 7, i & 15] });
globalThis.keep = m;
console.log('BUILT');
// Let the sampler read the RSS before the snapshot starts.
const until = Date.now() + 300;
while (Date.now() < until);
const fork = process.argv[4] === 'fork';
const t0 = Date.now();
// `fork` (Sable only): a forked child writes the file; the script goes on.
v8.writeHeapSnapshot(process.argv[2], fork ? { fork: true } : undefined);
console.log('DONE ' + (Date.now() - t0));
if (fork) {
  // Keep running (the harness stops us once the child finished the file).
  const stop = Date.now() + 120000;
  while (Date.now() < stop);
}
