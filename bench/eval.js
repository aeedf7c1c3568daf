// Eval throughput: indirect eval of a tiny, a 1 KB and a 50 KB source in a
// loop (parse, compile, run). Run: target/release/sable bench/eval.js
// (node bench/eval.js works too). Prints microseconds per eval.
var log = typeof print === 'function' ? print : console.log;
function bench(label, src, n) {
  var t = Date.now();
  for (var i = 0; i < n; i++) (0, eval)(src);
  log(label + ': ' + ((Date.now() - t) * 1000 / n).toFixed(1) + ' us/eval');
}
var line = 'var a = [1,2,3]; function f(x) { return x * 2 + a.length; } f(3);\n';
bench('tiny', 'x = 1 + 2', 100000);
bench('1KB', line.repeat(15), 10000);
bench('50KB', line.repeat(750), 300);
