const { writeHeapSnapshot } = require('node:v8');

// Node's example without worker_threads: the main thread's part.
console.log(`main thread heapdump: ${writeHeapSnapshot()}`);
