// util.inspect options and util.format through require('util') / require('node:util');
// compared byte for byte with node 20's output (util_samples.node.txt).
const util = require('util');
console.log(util === require('node:util'), typeof util.inspect, typeof util.format);
const nested = { a: { b: { c: { d: { e: { f: 1 } } } } }, arr: [1, [2, [3, [4, [5]]]]] };
console.log(util.inspect(nested));
console.log(util.inspect(nested, { depth: 0 }));
console.log(util.inspect(nested, { depth: Infinity }));
console.log(util.inspect(nested, { depth: null }));
console.log(util.inspect(nested, false, 1));
console.log(util.inspect({ a: 1, b: { c: 2 } }, { compact: false }));
console.log(util.inspect({ a: 1, b: { c: 2, d: [1, 2] } }, { compact: true }));
console.log(util.inspect({ a: 1, b: { c: 2 } }, { compact: 1 }));
console.log(util.inspect({ a: 'x'.repeat(30), b: 'y'.repeat(30), c: 'z'.repeat(30) }, { breakLength: Infinity }));
console.log(util.inspect({ a: 1, b: 2, c: 3 }, { breakLength: 10 }));
console.log(util.inspect(Array.from({ length: 10 }, (_, i) => i), { maxArrayLength: 3 }));
console.log(util.inspect(new Set([1, 2, 3, 4]), { maxArrayLength: 2 }));
console.log(util.inspect(new Map([[1, 2], [3, 4]]), { maxArrayLength: 1 }));
console.log(util.inspect('abcdefghij', { maxStringLength: 4 }));
console.log(util.inspect({ c: 3, a: 1, b: 2 }, { sorted: true }));
console.log(util.inspect({ get a() { return { x: 1 }; }, get b() { return 5; }, set c(v) {}, get d() { throw new Error('nope'); } }, { getters: true }));
console.log(util.inspect(1234567.891, { numericSeparator: true }), util.inspect(-1234567, { numericSeparator: true }));
console.log(util.inspect([1, 2, 3], { showHidden: true }));
const hiddenProp = { visible: 1 };
Object.defineProperty(hiddenProp, 'hidden', { value: 2, enumerable: false });
console.log(util.inspect(hiddenProp), util.inspect(hiddenProp, { showHidden: true }));
console.log(util.inspect('a string'), util.inspect(5), util.inspect(undefined));
console.log(util.inspect({ [util.inspect.custom](depth, options, inspect) { return inspect({ replaced: depth }, options); } }));
console.log(util.inspect.custom === Symbol.for('nodejs.util.inspect.custom'));
console.log(util.inspect.defaultOptions.depth, util.inspect.defaultOptions.breakLength);

console.log(util.format('%s=%d', 'x', 5, 'rest', { r: 1 }));
console.log(util.format('%i|%f|%j|%%|%c|%o', '12.7px', '1.5e2', [1], 'css', [1]));
console.log(util.format('no placeholders', 1, 'two'));
console.log(util.format(1, 2, '3'));
console.log(util.format('%s', { toString() { return 'custom toString'; } }));
console.log(util.format('%s', new (class K { toString() { return 'class toString'; } })()));
console.log(util.format('%s', [1, [2, [3]]]), util.format('%s', new Error('e').message));
console.log(util.format('%d', '0x10'), util.format('%i', 'abc'), util.format('%f', {}));
console.log(util.format());
console.log(util.format('%s'));
console.log(JSON.stringify(util.format('a\nb', 'c')));
console.log(util.formatWithOptions({ compact: false }, '%O', { a: 1 }));
const pr = util.promisify((x, cb) => cb(null, x * 2));
pr(21).then((v) => console.log('promisify', v));
try {
  require('nope');
} catch (e) {
  // The message's second part is the require stack (the script's absolute path).
  console.log(e.message.split('\n')[0], e.message.split('\n')[1], e.code, e instanceof Error, e.requireStack.length);
}
try {
  require('node:nope');
} catch (e) {
  console.log(e.message, e.code, e.name, e.stack.split('\n')[0]);
}
