// Values printed with console.log; tests/shell_host.rs compares sable's
// output byte for byte with node 20's (console_samples.node.txt, made with
// `node tests/data/console_samples.js > tests/data/console_samples.node.txt`).
// Errors get a fixed `stack` so that no file path or engine frame shows.

// primitives
console.log('top-level strings print raw', 42, -0, 0, NaN, Infinity, -1.5e-7, 1e21);
console.log([true, false, null, undefined]);
console.log(['plain', "it's", 'say "hi" it\'s', 'all `three` "kinds" \'here\'', 'tab\tnew\nline', 'back\\slash', '\x00\x7f\u0085']);
console.log([Symbol('foo'), Symbol(), Symbol.iterator, Symbol.for('reg')]);
console.log('a'.repeat(100));
console.log({ s: 'x'.repeat(90) });
console.log(['long line one\nline two is here and it is long enough to break over the limit of eighty']);

// objects and arrays
console.log({});
console.log({ a: 1, b: 'two', c: [3], d: { e: null } });
console.log({ 'a-b': 1, 'with space': 2, valid_id: 3, $dollar: 4, 'üñí': 5, 0: 'zero', '': 'empty' });
console.log({ [Symbol('foo')]: 1, regular: 2 });
console.log([1, 2, 3]);
console.log([[1, [2, [3, [4, [5]]]]]]);
console.log({ a: { b: { c: { d: { e: 1 } } } } });
console.log({ arr: [[[[]]]], obj: { x: { y: { z: {} } } } });
console.log([, 1, , , 2, , ]);
console.log(new Array(5));
const withExtra = [1, 2, 3];
withExtra.extra = 'yes';
withExtra[-1] = 'neg';
console.log(withExtra);
console.log(Array.from({ length: 30 }, (_, i) => i * 3));
console.log(Array.from({ length: 120 }, (_, i) => i));
console.log(Array.from({ length: 26 }, (_, i) => String.fromCharCode(97 + i).repeat((i % 5) + 1)));
console.log([1.5, -2, 300000, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
console.log({
  name: 'a fairly long property value here',
  description: 'another fairly long value to push this over eighty columns',
  n: 1,
});
console.log({ level1: { level2: { level3: 'deep' } }, list: [{ a: 1 }, { b: 2 }], flag: true, count: 12345 });
console.log([{ id: 1, name: 'one', tags: ['a', 'b'] }, { id: 2, name: 'two', tags: [] }, { id: 3, name: 'three', tags: ['c'] }]);
console.log(Object.create(null));
const nullProto = Object.create(null);
nullProto.x = 1;
console.log(nullProto);
console.log({ nested: Object.create(null) });

// classes and instances
class Foo {
  constructor() {
    this.foo = 'bar';
  }
}
class Bar extends Foo {}
class Empty {}
console.log(new Foo(), new Bar(), new Empty());
console.log({ deep: { deeper: { deepest: new Foo() } } });
console.log({ a: { b: { c: [1, 2] } } });
console.log({ a: { b: { c: new Map([[1, 2]]) } } });

// cycles
const cyc = { name: 'cyc' };
cyc.self = cyc;
console.log(cyc);
const ca = [1];
ca.push(ca);
console.log(ca);
const o1 = { name: 'o1' };
const o2 = { name: 'o2', o1 };
o1.o2 = o2;
console.log([o1, o2]);

// functions and classes
function named() {}
const anon = (() => () => {})();
async function af() {}
function* gen() {}
async function* agen() {}
console.log(named, anon, af, gen, agen);
console.log(Foo, Bar, class {}, class extends Foo {});
named.prop = 1;
console.log(named);
console.log({ method() {}, arrow: () => {}, [Symbol('s')]: function () {} });
console.log(Math.max, Object);

// collections
console.log(new Map([['a', 1], ['b', 2]]), new Map(), new Set([1, 'two', [3]]), new Set());
console.log(new Map([[{ k: 1 }, new Set([1, 2])], [[1, 2], new Map([['in', 'ner']])]]));
console.log(new WeakMap(), new WeakSet());
const mapWithProp = new Map([[1, 1]]);
mapWithProp.extra = true;
console.log(mapWithProp);

// dates, regexps, boxed primitives
console.log(new Date(0), new Date(Date.UTC(2020, 1, 29, 12, 30, 15, 250)));
console.log([/a/g, /[a-z]+\d*/imsuy, new RegExp('x/y')]);
console.log(new Number(3), new String('x'), new Boolean(false), Object(Symbol('boxed')), new Number(-0));
const boxedWithProp = new String('ab');
boxedWithProp.extra = 1;
console.log(boxedWithProp);

// getters and setters
console.log({
  get g() {
    return 1;
  },
  set s(v) {},
  get gs() {
    return 2;
  },
  set gs(v) {},
});
class WithAccessor {
  get computed() {
    return 'not shown';
  }
}
console.log(new WithAccessor());

// errors (fixed stacks)
const err = new Error('boom');
err.stack = 'Error: boom\n    at fixed (file.js:1:1)\n    at other (file.js:2:2)';
console.log(err);
const errCode = new TypeError('bad type');
errCode.stack = 'TypeError: bad type\n    at fixed (file.js:1:1)';
errCode.code = 'ERR_X';
errCode.extra = { n: 1 };
console.log(errCode);
const noStack = new RangeError('no frames');
noStack.stack = 'RangeError: no frames';
console.log(noStack);
console.log({ nested: err });
const customName = new Error('msg');
customName.name = 'CustomError';
customName.stack = 'CustomError: msg\n    at fixed (file.js:1:1)';
console.log(customName);
class MyError extends Error {}
const mine = new MyError('mine');
mine.stack = 'Error: mine\n    at fixed (file.js:1:1)';
console.log(mine);

// promises
const rejected = Promise.reject(3);
rejected.catch(() => {});
console.log(Promise.resolve(1), new Promise(() => {}), rejected, Promise.resolve({ a: [1] }));

// arguments, toStringTag, custom inspect
(function () {
  console.log(arguments);
})(1, 'two');
console.log({ [Symbol.toStringTag]: 'Tagged', a: 1 });
class Tagged {
  get [Symbol.toStringTag]() {
    return 'T';
  }
}
console.log(new Tagged());
console.log({ [Symbol.for('nodejs.util.inspect.custom')]: () => 'custom!' });
console.log({ inner: { [Symbol.for('nodejs.util.inspect.custom')]: (depth, opts) => `depth ${depth} break ${opts.breakLength}` } });

// format specifiers
console.log('%s|%s|%s|%s', 'str', 42, { a: 1 }, [1, 2]);
console.log('%d %i %f', '42.9', 42.9, '3.25abc');
console.log('%j %j', { a: [1] }, 'str');
console.log('%o', { a: [1, 2], f() {} });
console.log('%O', { a: { b: { c: { d: 1 } } } });
console.log('%c styled %% percent %x', 'color: red');
console.log('%s', 'only', 'extra', 1, { x: 1 });
console.log('no args %s %d');
console.log('100%', 5);
console.log(1, '%s', 'x');
console.log('%s', Symbol('sym'), -0, '%d', -0);
console.log('%s', null, undefined, '%s');
const circularJson = {};
circularJson.me = circularJson;
console.log('%j', circularJson);

// other console methods
console.info('info', { x: 1 });
console.debug('debug');
console.dir({ a: { b: { c: { d: 1 } } } }, { depth: 0 });
console.group('group');
console.log('inside\nmultiline');
console.group();
console.log({ a: 1, b: [1, 2] });
console.groupEnd();
console.groupEnd();
console.log('after group');
console.count();
console.count('x');
console.count();

// more layouts
console.log([{ a: 1 }, { b: 2 }, { c: 3 }, { d: 4 }, { e: 5 }, { f: 6 }, { g: 7 }]);
console.log(['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'ggggggg', 'hhhhhhhh']);
console.log(new Set(Array.from({ length: 40 }, (_, i) => i * i)));
console.log([-0, 0, -1, 1e100, 0.1, 123456789]);
console.log({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28] });
console.log({ k1: 'value number one', k2: 'value number two', k3: { inner1: 'abc', inner2: 'def', inner3: [1, 2, 3] } });
const sparse = [];
sparse[3] = 'x';
sparse[10] = 'y';
sparse.length = 15;
console.log(sparse);
console.log([[1, 2, [3, 4, [5, [6]]]], { x: [{ y: [{ z: 1 }] }] }]);
console.log(new Map([['deep', { a: { b: { c: {} } } }]]));
const nullMap = new Map([[1, 2]]);
Object.setPrototypeOf(nullMap, null);
console.log(nullMap);
const nullArr = [1, 2];
Object.setPrototypeOf(nullArr, null);
console.log(nullArr);
class MyArray extends Array {}
console.log(MyArray.from([1, 2, 3]));
class MyMap extends Map {}
console.log(new MyMap([[1, 2]]));
const withCause = new Error('outer', { cause: 'inner reason' });
withCause.stack = 'Error: outer\n    at fixed (file.js:1:1)';
console.log(withCause);
const inArray = new Error('in array');
inArray.stack = 'Error: in array\n    at fixed (file.js:1:1)\n    at next (file.js:2:1)';
console.log([inArray]);
console.log({ 1: 'one', 2: 'two', b: 'bee', a: 'ay' });
console.log({ constructor: 'shadow', __proto__: { inherited: 1 } });
console.log([undefined, null, , NaN]);
console.log({ f: Object.assign(() => {}, { a: 1 }) });
console.log(Object.assign(Object.create({ inherited: true }), { own: 1 }));
console.log({ date: new Date(86400000), re: /x/, fn: Foo, sym: Symbol('in'), big: [new Map(), new Set()] });
console.log(Object.assign(Object.create(null), { a: 1, [Symbol.toStringTag]: 'T' }));
console.log([function () {}, class {}, Map.prototype, Array.prototype, Object.prototype]);
console.log({ date: new Date(NaN), nested: [new Date(1e12)] });
console.log('%s and %s', new Map([[1, 2]]), new Set());
console.log(['中文字符', 'emoji 😀', 'e\u0301', 'x', 'y', 'z', 'w', 'v']);
