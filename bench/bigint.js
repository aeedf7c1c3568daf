// BigInt arithmetic on large numbers: multiplication, division and decimal
// conversion of 10,000-digit values, best of several rounds per operation.
// Runs in any shell (sable, qjs, node), so ratios come from one machine:
//
//   target/release/sable bench/bigint.js
//   ~/.cache/sable-peers/bin/qjs bench/bigint.js
//   node bench/bigint.js
const log = typeof console !== 'undefined' ? (...a) => console.log(...a) : print;
const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

function digits(n, seed) {
  let s = '';
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += String(i === 0 ? 1 + (x % 9) : x % 10);
  }
  return BigInt(s);
}

const a = digits(10000, 7);
const b = digits(10000, 11);
const product = a * b;
let sink = 0n;

const cases = [
  ['multiply 10k x 10k digits', 20, () => { sink = a * b; }],
  ['divide 20k / 10k digits', 20, () => { sink = product / b; }],
  ['toString 10k digits', 20, () => { sink = BigInt(a.toString().length); }],
  ['toString 20k digits', 10, () => { sink = BigInt(product.toString().length); }],
  ['parse 10k digits', 20, () => { sink = BigInt(a.toString()); }],
  ['add 10k digits x 1000', 1, () => { let s = 0n; for (let i = 0; i < 1000; i++) s += a; sink = s; }],
];
for (const [name, reps, f] of cases) {
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t = now();
    for (let i = 0; i < reps; i++) f();
    best = Math.min(best, (now() - t) / reps);
  }
  log(name.padEnd(28) + best.toFixed(3) + ' ms');
}
if (product / b !== a || product % b !== 0n || BigInt(a.toString()) !== a) throw new Error('wrong result');
log('check ' + String(sink > 0n));
