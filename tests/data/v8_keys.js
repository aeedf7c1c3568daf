// The key lists of the v8 module's statistics and GC profile objects.
// Run by node (`node --expose-gc tests/data/v8_keys.js > tests/data/v8_keys.node.json`)
// and by Sable (tests/introspection.rs); the outputs must be equal.
const v8 = typeof require === 'function' ? require('v8') : globalThis.v8;
const profiler = new v8.GCProfiler();
profiler.start();
gc();
const profile = profiler.stop();
const entry = profile.statistics[0];
const out = {
  heapStatistics: Object.keys(v8.getHeapStatistics()),
  heapSpaceStatistics: Object.keys(v8.getHeapSpaceStatistics()[0]),
  heapCodeStatistics: Object.keys(v8.getHeapCodeStatistics()),
  gcProfile: Object.keys(profile),
  gcProfileEntry: Object.keys(entry),
  gcProfileSample: Object.keys(entry.beforeGC),
  gcProfileHeapStatistics: Object.keys(entry.beforeGC.heapStatistics),
  gcProfileSpaceStatistics: Object.keys(entry.beforeGC.heapSpaceStatistics[0]),
  types: [typeof profile.version, typeof profile.startTime, typeof entry.gcType, typeof entry.cost, typeof v8.cachedDataVersionTag()],
};
(typeof print === 'function' ? print : console.log)(JSON.stringify(out, null, 1));
