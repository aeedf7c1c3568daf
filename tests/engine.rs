//! End-to-end engine tests through the safe Rust embedding API: language
//! features, builtins, errors, GC under allocation pressure, and limits.

mod common;

use common::*;
use sable::api::{Isolate, IsolateParams, Status};

#[test]
fn arithmetic_and_strings() {
    assert_eq!(eval("1 + 2 * 3"), "7");
    assert_eq!(eval("0.1 + 0.2"), "0.30000000000000004");
    assert_eq!(eval("2 ** 10 + 7 % 3 - (5 / 2)"), "1022.5");
    assert_eq!(eval("'a' + 1 + 2"), "a12");
    assert_eq!(eval("`x=${1 + 1}!`"), "x=2!");
    assert_eq!(eval("(-8 >> 1) + ',' + (-8 >>> 28) + ',' + (5 & 3) + ',' + (~5)"), "-4,15,1,-6");
    assert_eq!(eval("2147483647 + 1"), "2147483648");
    assert_eq!(eval("1/0 + ',' + -1/0 + ',' + (0/0)"), "Infinity,-Infinity,NaN");
}

#[test]
fn typeof_and_equality() {
    assert_eq!(
        eval("[typeof 1, typeof 'a', typeof true, typeof undefined, typeof null, typeof {}, typeof function(){}, typeof Symbol(), typeof notDefined].join()"),
        "number,string,boolean,undefined,object,object,function,symbol,undefined"
    );
    assert_eq!(eval("[1 == '1', 1 === '1', null == undefined, null === undefined, NaN == NaN].join()"), "true,false,true,false,false");
}

#[test]
fn variables_scopes_and_closures() {
    assert_eq!(eval("var a = 1; let b = 2; const c = 3; a + b + c"), "6");
    assert_eq!(eval("function mk() { let n = 0; return () => ++n; } const f = mk(); f(); f(); f()"), "3");
    // `let` in a for head: each iteration's closure sees its own `i`.
    assert_eq!(eval("var fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); fs.map(f => f()).join()"), "0,1,2");
    // `var`: one binding shared by all closures, 3 after the loop.
    assert_eq!(eval("var fs = []; for (var i = 0; i < 3; i++) fs.push(() => i); fs.map(f => f()).join()"), "3,3,3");
    assert!(eval("x; let x = 1;").starts_with("Uncaught ReferenceError"));
    assert!(eval("const k = 1; k = 2;").starts_with("Uncaught TypeError: Assignment to constant variable."));
    assert_eq!(eval("undefinedName"), "Uncaught ReferenceError: undefinedName is not defined");
}

#[test]
fn functions_this_and_new() {
    assert_eq!(eval("function f(a, b = 10, ...rest) { return a + b + rest.length; } f(1) + f(1, 2, 3, 4)"), "16");
    assert_eq!(eval("function P(x) { this.x = x; } P.prototype.get = function() { return this.x; }; new P(5).get()"), "5");
    assert_eq!(eval("var o = { v: 2, m() { return this.v; } }; o.m()"), "2");
    assert_eq!(eval("function f() { return arguments.length; } f(1, 2, 3)"), "3");
    assert_eq!(eval("(function () { 'use strict'; return this; })()"), "undefined");
    assert_eq!(eval("[1,2,3] instanceof Array && 'x' in {x: 1}"), "true");
}

#[test]
fn control_flow_and_exceptions() {
    assert_eq!(eval("let s = 0; for (let i = 0; i < 10; i++) { if (i % 2) continue; s += i; } s"), "20");
    assert_eq!(eval("let n = 0; outer: for (;;) { while (true) { n++; if (n > 3) break outer; } } n"), "4");
    assert_eq!(eval("let r = ''; for (const k in {a: 1, b: 2}) r += k; r"), "ab");
    assert_eq!(eval("let r = 0; for (const v of [1, 2, 3]) r += v; r"), "6");
    assert_eq!(eval("switch (3) { case 1: 'one'; break; case 3: 'three'; break; default: 'other' }"), "three");
    assert_eq!(eval("let log = ''; try { throw new Error('boom'); } catch (e) { log += e.message; } finally { log += '!'; } log"), "boom!");
    assert_eq!(eval("function f() { try { return 1; } finally { g = 2; } } var g = 0; f() + g"), "3");
    assert_eq!(eval("throw new TypeError('bad')"), "Uncaught TypeError: bad");
}

#[test]
fn objects_arrays_and_classes() {
    assert_eq!(eval("const o = { a: 1, ['b' + 1]: 2, get c() { return 3; } }; o.a + o.b1 + o.c"), "6");
    assert_eq!(eval("const {a, b: [x, y] = [7, 8], ...rest} = {a: 1, c: 3, d: 4}; a + x + y + Object.keys(rest).join()"), "16c,d");
    assert_eq!(eval("[1, , 3].length + ',' + [...[1, 2], 3].join('-')"), "3,1-2-3");
    assert_eq!(
        eval(
            "class A { constructor(x) { this.x = x; } get twice() { return this.x * 2; } static make() { return new this(4); } } class B extends A { constructor() { super(3); } get twice() { return super.twice + 1; } } B.make === A.make && new B().twice"
        ),
        "7"
    );
    assert_eq!(eval("class C { f = 5; } new C().f"), "5");
    assert!(eval("class K {} K()").starts_with("Uncaught TypeError"));
}

#[test]
fn builtins_core() {
    assert_eq!(eval("Object.getOwnPropertyNames({b: 1, a: 2, 1: 0}).join()"), "1,b,a");
    assert_eq!(eval("var o = {}; Object.defineProperty(o, 'x', {value: 1}); o.x = 2; o.x"), "1");
    assert_eq!(eval("Object.isFrozen(Object.freeze({a: 1}))"), "true");
    assert_eq!(eval("function f(a, b) { return this.v + a + b; } f.call({v: 1}, 2, 3) + f.apply({v: 1}, [1, 1]) + f.bind({v: 0}, 5)(5)"), "19");
    assert_eq!(eval("String(Symbol('s'))"), "Symbol(s)");
    assert_eq!(eval("Object.prototype.toString.call([])"), "[object Array]");
    assert_eq!(eval("parseInt('  42px') + parseFloat('3.5e1x')"), "77");
    assert_eq!(eval("(function foo() {}).toString()"), "function foo() {}");
}

#[test]
fn error_stack_is_v8_style() {
    let s = eval("function inner() { throw new Error('deep'); } function outer() { inner(); } try { outer(); } catch (e) { e.stack }");
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(lines[0], "Error: deep");
    assert!(lines[1].starts_with("    at inner (test.js:1:"), "{s}");
    assert!(lines[2].starts_with("    at outer (test.js:1:"), "{s}");
}

#[test]
fn syntax_errors_are_exceptions() {
    assert!(eval("let let = 1;").starts_with("Uncaught SyntaxError"));
    assert!(eval("({)").starts_with("Uncaught SyntaxError"));
}

#[test]
fn garbage_is_collected_and_live_data_survives() {
    let (mut iso, c) = setup();
    run(&mut iso, c, "var keep = []; for (let i = 0; i < 1000; i++) keep.push({i, s: 'v' + i});");
    let before = iso.heap_statistics().used_heap_size;
    run(&mut iso, c, "for (let i = 0; i < 200000; i++) { let t = {a: i, b: [i, i + 1], c: 'x' + i}; }");
    iso.collect_garbage();
    let after = iso.heap_statistics().used_heap_size;
    assert!(after < before + (4 << 20), "garbage not reclaimed: {before} -> {after}");
    assert_eq!(run(&mut iso, c, "keep.length + ':' + keep[999].s + ':' + keep[500].i"), "1000:v999:500");
}

#[test]
fn deep_recursion_is_a_range_error() {
    let (mut iso, c) = setup();
    assert_eq!(
        run(&mut iso, c, "function f() { return f(); } try { f(); } catch (e) { e instanceof RangeError ? e.message : 'wrong' }"),
        "Maximum call stack size exceeded"
    );
    assert_eq!(run(&mut iso, c, "1 + 1"), "2");
}

#[test]
fn heap_limit_returns_out_of_memory_and_process_survives() {
    let params = IsolateParams { heap_limit_bytes: 32 << 20, ..Default::default() };
    let mut iso = Isolate::new(&params).unwrap();
    let c = iso.context_new().unwrap();
    let token = iso.open_scope();
    // Large strings reach the limit in few cells, so this stays fast under
    // SABLE_GC_STRESS (a collection at every safepoint).
    let r = iso.eval(c, "let a = []; for (;;) a.push(String(a.length).repeat(3000));", None);
    assert_eq!(r.err(), Some(Status::OutOfMemory));
    assert!(!iso.is_usable());
    iso.close_scope(token);
    drop(iso);
    let (mut iso2, c2) = setup();
    assert_eq!(run(&mut iso2, c2, "1 + 1"), "2");
}

#[test]
fn terminate_from_another_thread_and_cancel() {
    let (mut iso, c) = setup();
    let h = iso.terminate_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(100));
        h.terminate();
    });
    let token = iso.open_scope();
    assert_eq!(iso.eval(c, "for (;;) {}", None).err(), Some(Status::Terminated));
    iso.close_scope(token);
    t.join().unwrap();
    iso.cancel_terminate_execution();
    assert_eq!(run(&mut iso, c, "1 + 1"), "2");
}

#[test]
fn generators_suspend_resume_and_close() {
    assert_eq!(
        eval(
            "function* g(a) { var x = yield a; var y = yield x * 2; return x + y; } var it = g(5); [it.next().value, it.next(10).value, JSON.stringify(it.next(1)), it.next().done].join()"
        ),
        "5,20,{\"value\":11,\"done\":true},true"
    );
    // return() runs finally blocks; throw() is catchable at the yield.
    assert_eq!(
        eval(
            "var log = []; function* g() { try { yield 1; yield 2; } finally { log.push('fin'); } } var it = g(); it.next(); JSON.stringify(it.return(7)) + log"
        ),
        "{\"value\":7,\"done\":true}fin"
    );
    assert_eq!(eval("function* g() { try { yield 1; } catch (e) { yield 'caught ' + e; } } var it = g(); it.next(); it.throw('x').value"), "caught x");
    // yield* forwards next/return, and its value is the inner return value.
    assert_eq!(
        eval("function* inner() { yield 1; return 'r'; } function* outer() { var v = yield* inner(); yield v; yield* [2, 3]; } [...outer()].join()"),
        "1,r,2,3"
    );
    // for-of break closes the generator; a running generator cannot be re-entered.
    assert_eq!(eval("var closed = false; function* g() { try { while (true) yield 0; } finally { closed = true; } } for (var x of g()) break; closed"), "true");
    assert_eq!(eval("function* g() { it.next(); } var it = g(); try { it.next(); } catch (e) { e instanceof TypeError }"), "true");
    // [[GeneratorBrand]]: the sync generator methods reject async generators.
    assert_eq!(
        eval(
            "var next = Object.getPrototypeOf(function* () {}).prototype.next; async function* ag() {} try { next.call(ag()); 'no error' } catch (e) { e.constructor.name }"
        ),
        "TypeError"
    );
    // Generator methods, prototypes and the GeneratorFunction constructor.
    assert_eq!(eval("var o = { *m() { yield this.v; }, v: 3 }; [...o.m()].join()"), "3");
    assert_eq!(
        eval(
            "function* g() {} var GF = Object.getPrototypeOf(g).constructor; [Object.getPrototypeOf(g.prototype) === GF.prototype.prototype, typeof new GF('yield 1')().next, g.hasOwnProperty('caller')].join()"
        ),
        "true,function,false"
    );
    // Saved frames survive collections between resumptions (GC stress covers this in CI).
    assert_eq!(
        eval(
            "function* g() { var acc = []; for (var i = 0; i < 200; i++) { acc.push({i: i}); yield acc.length; } return acc[199].i; } var it = g(), n; while (!(n = it.next()).done) { var junk = [1, 2, 3].map(String); } n.value"
        ),
        "199"
    );
}

#[test]
fn async_functions_await_and_settle_their_promise() {
    let (mut iso, c) = setup();
    run(
        &mut iso,
        c,
        "var log = [];
         async function f(x) { log.push('start'); var y = await x; log.push('got ' + y); return (await Promise.resolve(y)) * 2; }
         f(21).then(v => log.push('result ' + v));
         log.push('after call');
         async function g() { try { await Promise.reject(new Error('no')); } catch (e) { log.push('caught ' + e.message); } throw new TypeError('out'); }
         g().catch(e => log.push('rejected ' + e.name));
         var bad = async (a = null.x) => 0;
         bad().catch(e => log.push('param ' + e.name));
         class K { async m() { return this.v; } } var k = new K(); k.v = 9; k.m().then(v => log.push('method ' + v));",
    );
    assert_eq!(run(&mut iso, c, "log.join()"), "start,after call");
    iso.run_microtasks().expect("microtasks");
    assert_eq!(run(&mut iso, c, "log.join()"), "start,after call,got 21,caught no,param TypeError,method 9,rejected TypeError,result 42");
    assert_eq!(
        run(&mut iso, c, "var AF = Object.getPrototypeOf(f).constructor; [typeof f.prototype, AF.name, Object.getPrototypeOf(f)[Symbol.toStringTag]].join()"),
        "undefined,AsyncFunction,AsyncFunction"
    );
}

#[test]
fn async_generators_and_for_await() {
    let (mut iso, c) = setup();
    run(
        &mut iso,
        c,
        "var log = [];
         async function* inner() { try { var x = yield 1; log.push('sent ' + x); yield 2; return 'r'; } finally { log.push('inner finally'); } }
         async function* outer() { var r = yield* inner(); log.push('delegate ' + r); yield* [3, Promise.resolve(4)]; }
         async function main() {
           var seen = [];
           for await (var v of outer()) seen.push(v);
           log.push(seen.join());
           var g = outer(); await g.next(); log.push(JSON.stringify(await g.return('early')));
           var q = inner(); var all = await Promise.all([q.next(), q.next('a'), q.next(), q.next()]);
           log.push(JSON.stringify(all));
           var closed = false;
           var it = { [Symbol.asyncIterator]() { return { next() { return Promise.resolve({ value: 0, done: false }); }, return() { closed = true; return {}; } }; } };
           for await (var w of it) break;
           log.push('closed ' + closed);
           try { for await (var z of inner()) throw new Error('body'); } catch (e) { log.push('caught ' + e.message); }
         }
         main().then(() => log.push('done'), e => log.push('error ' + e));",
    );
    iso.run_microtasks().expect("microtasks");
    assert_eq!(
        run(&mut iso, c, "log.join('|')"),
        "sent undefined|inner finally|delegate r|1,2,3,4|inner finally|{\"value\":\"early\",\"done\":true}|sent a|inner finally|\
         [{\"value\":1,\"done\":false},{\"value\":2,\"done\":false},{\"value\":\"r\",\"done\":true},{\"done\":true}]|closed true|inner finally|caught body|done"
    );
    assert_eq!(
        run(
            &mut iso,
            c,
            "async function* ag() {} [Object.prototype.toString.call(ag()), Object.getPrototypeOf(ag).constructor.name, typeof ag.prototype].join()"
        ),
        "[object AsyncGenerator],AsyncGeneratorFunction,object"
    );
}
