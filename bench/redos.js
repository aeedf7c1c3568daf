// Catastrophic-backtracking patterns (regex denial of service) and how long
// each exec takes. Sable answers them with its linear-time matcher once
// backtracking passes its budget; backtracking-only engines (QuickJS, V8
// without --enable-experimental-regexp-engine-on-excessive-backtracks) do
// not return on most of them, so run peers under `timeout`.
//
//   target/release/sable bench/redos.js
//   timeout 60 node --jitless bench/redos.js
const log = typeof console !== 'undefined' ? (...a) => console.log(...a) : print;
const cases = [
  [/(a+)+$/, 'a'.repeat(30) + 'b'],
  [/(a+)+$/, 'a'.repeat(1e6) + 'b'],
  [/^(\w+\s?)*$/, 'An input string that takes a long time or even makes this regex to hang!'],
  [/(x+x+)+y/, 'x'.repeat(5000)],
  [/a*a*a*a*a*b/, 'a'.repeat(20000)],
  [/^(([a-z])+.)+[A-Z]([a-z])+$/, 'a'.repeat(41) + '!'],
  [/(?:a|b)*c/, 'ab'.repeat(1e6)],
];
for (const [re, s] of cases) {
  const t = Date.now();
  const r = re.exec(s);
  log(String(re).padEnd(32) + ' length ' + String(s.length).padStart(8) + ' -> ' + (r === null ? 'null' : r.index) + ', ' + (Date.now() - t) + ' ms');
}
