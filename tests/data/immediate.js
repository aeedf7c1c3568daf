// setImmediate's place in the event loop; compared with node 20's output (immediate.node.txt).
const log = console.log;
setImmediate((a) => { log('immediate 1', a); setImmediate(() => log('immediate from immediate')); process.nextTick(() => log('tick in immediate')); Promise.resolve().then(() => log('promise in immediate')); }, 'arg');
const c = setImmediate(() => log('never: cleared'));
clearImmediate(c);
setImmediate(() => log('immediate 2'));
setImmediate(() => log('never: unref immediate only')).unref();
setTimeout(() => {
  log('timeout 20');
  setImmediate(() => log('immediate from timeout'));
  setTimeout(() => log('timeout from timeout 0'), 0);
}, 20);
log('sync');
