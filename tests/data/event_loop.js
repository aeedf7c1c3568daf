// Ordering of synchronous code, process.nextTick, microtasks and timers;
// compared with node 20's output (event_loop.node.txt). Delays are far
// apart so that the order does not depend on how fast the machine is.
const log = (...a) => console.log(...a);
log('sync 1');
setTimeout(() => log('timeout 220'), 220);
setTimeout(() => log('timeout 0 (clamped to 1)'), 0);
setTimeout((a, b) => log('timeout 100 with args', a, b), 100, 'x', 'y');
setTimeout(() => log('timeout 180'), 180);
setTimeout(() => log('timeout -5 (clamped to 1)'), -5);
setTimeout(() => log('timeout NaN (clamped to 1)'), 'not a number');
setTimeout(() => log('timeout 2**31 (clamped to 1)'), 2 ** 31);
const cancelled = setTimeout(() => log('never: cleared before firing'), 5);
clearTimeout(cancelled);
const byId = setTimeout(() => log('never: cleared by id'), 5);
clearTimeout(+byId);
setTimeout(() => log('never: unref timer'), 400).unref();
const reffed = setTimeout(() => log('unref then ref: fires'), 260);
reffed.unref();
log('hasRef after unref', reffed.hasRef());
reffed.ref();
log('hasRef after ref', reffed.hasRef());
let n = 0;
const iv = setInterval(
  (tag) => {
    n++;
    log('interval', tag, n);
    if (n === 3) {
      clearInterval(iv);
      log('interval cleared');
    }
  },
  5,
  'tag',
);
process.nextTick(() => log('nextTick 1'));
Promise.resolve().then(() => {
  log('promise 1');
  process.nextTick(() => log('nextTick from promise'));
  Promise.resolve().then(() => log('promise from promise'));
});
queueMicrotask(() => log('queueMicrotask'));
process.nextTick(
  (a, b) => {
    log('nextTick 2 with args', a, b);
    Promise.resolve().then(() => log('promise from nextTick'));
    process.nextTick(() => log('nextTick from nextTick'));
  },
  1,
  2,
);
setTimeout(() => {
  log('timeout 140: schedules more');
  process.nextTick(() => log('  nextTick inside timer'));
  Promise.resolve().then(() => log('  promise inside timer'));
  setTimeout(() => log('  nested timeout 1'), 1);
}, 140);
setTimeout(() => log('timeout 140 (second)'), 140);
const t = setTimeout(() => {}, 1000);
log('typeof timer', typeof t, 'toPrimitive is number', typeof t[Symbol.toPrimitive]() === 'number');
log('refresh returns timer', t.refresh() === t, 'unref returns timer', t.unref() === t);
clearTimeout(t);
try {
  setTimeout('code');
} catch (e) {
  log(e.name, e.code, e.message);
}
try {
  queueMicrotask(42);
} catch (e) {
  log(e.name, e.code, e.message);
}
try {
  process.nextTick({});
} catch (e) {
  log(e.name, e.code, e.message);
}
log('sync 2');
