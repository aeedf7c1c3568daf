//! Unit tests of the bytecode compiler: every supported form compiles (and
//! passes a structural check of the generated code), unsupported features and
//! syntax errors are reported as documented, and end-to-end results through the
//! interpreter.

use super::*;
use crate::vm::bytecode::Op;
use crate::vm::isolate::Vm;
use crate::vm::object::JsString;
use crate::vm::value::Value;

/// Structural checks: jump targets in range, handlers in range, registers and
/// constants in range, code ends in Return.
fn check_code(code: &Code) {
    let n = code.ops.len() as u32;
    assert!(matches!(code.ops.last(), Some(Op::Return)), "code must end in Return:\n{}", code.disassemble());
    for op in &code.ops {
        let target = match *op {
            Op::Jump(t)
            | Op::JumpIfTrue(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfNullish(t)
            | Op::JumpIfNotNullish(t)
            | Op::JumpIfUndefined(t)
            | Op::JumpIfNotUndefined(t)
            | Op::IteratorStep { done: t, .. }
            | Op::ResumeMode { next: t, .. }
            | Op::IterResultValue { done: t }
            | Op::CallIteratorMethod { missing: t, .. }
            | Op::JumpIfRegInt { target: t, .. }
            | Op::YieldStar { done: t, .. }
            | Op::ForInNext { done: t, .. } => Some(t),
            _ => None,
        };
        if let Some(t) = target {
            assert!(t < n, "jump target {t} out of range:\n{}", code.disassemble());
        }
        let regs: Vec<u16> = match *op {
            Op::Ldar(r) | Op::Star(r) | Op::SaveEnv(r) | Op::RestoreEnv(r) | Op::ArrayPush(r) => {
                vec![r]
            }
            Op::Mov(a, b) => vec![a, b],
            Op::Call { callee, this, args, argc } => {
                let mut v = vec![callee, this];
                if argc > 0 {
                    v.push(args + argc - 1);
                }
                v
            }
            Op::GetIterator(r) | Op::GetAsyncIterator(r) | Op::InitialYield(r) | Op::Yield(r) | Op::YieldRaw(r) => vec![r, r + 1],
            Op::AsyncStart(r) | Op::Await(r) | Op::AsyncReject(r) => vec![r, r + 1, r + 2],
            Op::YieldStar { iter, mode, .. } => vec![iter, iter + 1, mode],
            Op::ResumeMode { mode, .. } => vec![mode],
            _ => vec![],
        };
        for r in regs {
            assert!((r as u32) < code.nregs, "register r{r} >= nregs {}:\n{}", code.nregs, code.disassemble());
        }
        let c = match *op {
            Op::LdaConst(c) | Op::CreateClosure(c) | Op::ThrowIfEmpty(c) | Op::ThrowConstAssign(c) | Op::ThrowIfNotObject(c) => Some(c),
            Op::GetNamed { name, .. } | Op::SetNamed { name, .. } | Op::LdaGlobal { name, .. } => Some(name),
            _ => None,
        };
        if let Some(c) = c {
            assert!((c as usize) < code.consts.len(), "constant {c} out of range");
        }
        if let Op::GetNamed { ic, .. } | Op::SetNamed { ic, .. } | Op::LdaGlobal { ic, .. } = *op {
            assert!(ic < code.feedback.len() as u32);
        }
    }
    for h in &code.handlers {
        assert!(h.start < h.end && h.end <= n && h.handler < n, "bad handler {h:?}");
    }
    assert!(code.nparams <= code.nregs);
    for &c in &code.consts {
        if let Some(inner) = Gc::<Code>::try_from_value(c) {
            check_code(&inner);
        }
    }
}

/// Compiles a script; the Vm is returned too since the Code lives in its heap.
fn compile_ok(src: &str) -> (Box<Vm>, Gc<Code>) {
    let mut vm = Vm::new(0, 0, None);
    match compile_script(&mut vm, src, "test.js") {
        Ok(code) => {
            check_code(&code);
            (vm, code)
        }
        Err(e) => panic!("failed to compile {src:?}: {e}"),
    }
}

fn compile_err(src: &str) -> CompileError {
    let mut vm = Vm::new(0, 0, None);
    match compile_script(&mut vm, src, "test.js") {
        Ok(code) => panic!("expected an error for {src:?}, got:\n{}", code.disassemble()),
        Err(e) => e,
    }
}

const SNIPPETS: &[&str] = &[
    // literals
    "1; 2.5; -0; 1e300; 0x10; 'str'; \"dq\"; true; false; null; undefined;",
    "'\\ud800'; '\\udc00x'; '\\ufffd';",
    "/ab+c/gi; /[/]/;",
    "/{/; /]/; /a{/; /\\c/; /(?:)/; /[\\c]/; /\\1/; /\\p{L}/u; /x/dgimsuy; /[a&&b]/v;",
    "`plain`; `a${1}b${2}c`; `${x}`; `${x}${y}`;",
    "tag`a${1}b`; tag`\\unicode`; o.m`x`;",
    "[1, , 3, ...a, 4]; [];",
    "({a: 1, 'b': 2, 3: 3, 1.5: 4, [k]: 5, x, m() { return super.x; }, get g() { return 1; }, set g(v) {}, ...o, __proto__: null});",
    "({f: function() {}, g: () => 1, c: class {}, [k]: function() {}});",
    // operators
    "a + b - c * d / e % f ** g; a << b >> c >>> d; a & b | c ^ d;",
    "a == b; a != b; a === b; a !== b; a < b; a > b; a <= b; a >= b; a in b; a instanceof b;",
    "-a; +a; !a; ~a; typeof a; typeof undeclared; void a; delete a.b; delete a[b]; delete x; delete 1;",
    "a && b; a || b; a ?? b; a ? b : c; (a, b, c);",
    "var x = 1; x += 2; x -= 1; x *= 2; x /= 2; x %= 2; x **= 2; x <<= 1; x >>= 1; x >>>= 1; x &= 1; x |= 1; x ^= 1;",
    "var x; x &&= 1; x ||= 2; x ??= 3; o.p ||= 4; o[k] ??= 5;",
    "var i = 0; i++; i--; ++i; --i; o.p++; --o[k];",
    "a.b.c = 1; a[b][c] = 2; a.b += 3;",
    // calls
    "f(); f(1, 2); o.m(1); o[k](2); (o.m)(); f(...a); o.m(1, ...a, 2); new F; new F(1); new F(...a);",
    "a?.b; a?.[b]; a?.(); a.b?.(); a?.b.c(); (a?.b)(); a?.b?.c; delete a?.b;",
    "eval('1'); eval;",
    // statements
    "if (a) b; else c; if (a) { b }",
    "for (var i = 0; i < 10; i++) { if (i == 5) break; if (i == 2) continue; }",
    "for (let i = 0; i < 3; i++) { setTimeout(() => i); }",
    "for (const x of [1, 2]) { f(() => x); } for (x of a) ; for (let [a, b] of c) ; for (o.p of a) ;",
    "for (var k in o) ; for (let k in o) f(() => k); for (o.k in o) ; for (var x = 1 in o) ;",
    "while (a) { b(); } do { c(); } while (d);",
    "outer: for (;;) { inner: for (;;) { break outer; continue outer; } }",
    "lbl: { break lbl; }",
    "switch (x) { case 1: f(); case 2: g(); break; default: h(); case 3: let y = 1; }",
    "try { f(); } catch (e) { g(e); }",
    "try { f(); } catch { g(); }",
    "try { f(); } finally { g(); }",
    "try { f(); } catch ({message}) { g(message); } finally { h(); }",
    "function f() { for (const x of a) { try { return x; } finally { g(); } } }",
    "function f() { try { return 1; } finally { try { throw 2; } catch (e) {} } }",
    "for (;;) { try { break; } finally { continue; } }",
    "a: for (x of y) { for (z of w) { try { continue a; } finally { } } }",
    "throw new Error('x');",
    "debugger;",
    ";;;",
    "{ let a = 1; { let a = 2; } }",
    // declarations
    "var a = 1, b; let c = 2, d; const e = 3;",
    "var {a, b: {c}, d = 1, ...r} = o; let [x, , y = 2, ...z] = arr;",
    "[a, b] = [b, a]; ({a, b: c.d, e = 1, [k]: f, ...g} = o); [o.a, o[k] = 1, ...o.r] = arr;",
    "function f(a, b = 1, {c, d} = {}, [e] = [], ...rest) { return a + b + c + d + e + rest.length; }",
    "function g(a, a) { return a; }",
    "function h() { return arguments.length; } function h2() { return () => arguments[0]; }",
    "var f = function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); };",
    "let counter = (() => { let n = 0; return () => ++n; })();",
    "function outer() { var x = 1; function inner() { return x; } return inner; }",
    "{ function blockFn() { return 1; } } blockFn();",
    "x = 1; let y = x; const z = y;",
    "function tdz() { f(); let v = 1; function f() { return v; } }",
    "'use strict'; var x = 1; x = 2;",
    "function s() { 'use strict'; return this; }",
    "function nt() { return new.target; } function nt2() { return () => new.target; }",
    // classes
    "class A {}",
    "class B extends A { constructor() { super(); this.x = 1; } m() { return super.m(); } static s() {} get g() { return 1; } set g(v) {} }",
    "class C { x = 1; y; ['z' + 1] = 2; static s = 3; static { this.t = 4; } static [k] = 5; }",
    "class D extends Object { f = () => this; }",
    "let E = class {}; let F = class Named { m() { return Named; } };",
    "class G { static n = G.name; static { G.x = 1; } }",
    "class H { [Symbol.iterator]() {} 'quoted'() {} 123() {} }",
    "class I extends (class {}) { constructor(...args) { super(...args); } }",
    "var o = { m() { return super.toString(); } };",
    "function F() { if (!new.target) return; this.x = 1; }",
];

#[test]
fn compiles_all_snippets() {
    for src in SNIPPETS {
        compile_ok(src);
    }
}

#[test]
fn eval_entry_points() {
    let mut vm = Vm::new(0, 0, None);
    let code = compile_eval(&mut vm, "var x = 1; let y = 2; x + y", false).unwrap();
    check_code(&code);
    assert!(code.flags.is_script);
    let code = compile_eval(&mut vm, "let y = 2; (function(){ return y; })()", true).unwrap();
    check_code(&code);
    assert!(code.flags.strict);
    let code = compile_eval(&mut vm, "'use strict'; var q = 1", false).unwrap();
    assert!(code.flags.strict);
    assert!(compile_eval(&mut vm, "with (o) {}", true).is_err());
    let text = disassemble_script(&mut vm, "function f(a) { return a + 1; } f(2)").unwrap();
    assert!(text.contains("Return"));
    assert!(compile_module(&mut vm, "export {}", "m").unwrap_err().message.contains("not supported yet"));
}

#[test]
fn unsupported_features() {
    let cases = [
        ("with (o) {}", "with statement is not supported yet"),
        ("class A { #x = 1; }", "private class members are not supported yet"),
        ("class A { #m() {} }", "private class members are not supported yet"),
        ("import('x')", "import() is not supported yet"),
    ];
    for (src, msg) in cases {
        let e = compile_err(src);
        assert_eq!(e.kind, CompileErrorKind::Unsupported, "{src}");
        assert_eq!(e.kind.error_type(), crate::vm::runtime::errors::ErrorType::Error, "{src}");
        assert_eq!(e.message, msg, "{src}");
    }
}

#[test]
fn syntax_errors() {
    for src in [
        "var = 1;",
        "let let = 1;",
        "let a; let a;",
        "break;",
        "continue;",
        "function f() { 'use strict'; with (a) {} }",
        "'use strict'; delete x;",
        "return 1;",
        "x = {",
        "/(/;",
        "const a;",
        "class A extends B { constructor() { super(); } } class C { constructor() { super(); } }",
        "import x from 'y';",
    ] {
        let e = compile_err(src);
        assert_eq!(e.kind, CompileErrorKind::SyntaxError, "{src}: {}", e.message);
        assert!(!e.message.is_empty());
    }
}

/// Compiles `src` on a thread with a 256 MiB stack (the parser recurses on
/// nesting; the code generator has its own 1 MiB budget).
fn compile_on_big_stack(src: String) -> Result<(), CompileError> {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut vm = Vm::new(0, 0, None);
            compile_script(&mut vm, &src, "t").map(|_| ())
        })
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Long flat chains are not nesting: they compile and run.
    assert_eq!(run(&format!("var x = {}; x", vec!["1"; 20000].join("+"))), "20000");
    assert_eq!(run(&format!("var a = 0, b = 'b'; var x = {}; x", vec!["a"; 20000].join("||") + "||b")), "b");
    // Moderate nesting compiles.
    compile_on_big_stack(format!("var x = {}1{};", "f(".repeat(100), ")".repeat(100))).unwrap();
    compile_on_big_stack(format!("var x = {}1{};", "[".repeat(100), "]".repeat(100))).unwrap();
    // Nesting past the code generator's stack budget is a RangeError (V8's
    // "Maximum call stack size exceeded"), not a stack overflow.
    for src in [
        format!("var x = {}1{};", "f(".repeat(3000), ")".repeat(3000)),
        format!("var x = {}1{};", "f(".repeat(100_000), ")".repeat(100_000)),
        format!("var x = {}1{};", "[".repeat(100_000), "]".repeat(100_000)),
    ] {
        let e = compile_on_big_stack(src).expect_err("deep nesting compiled");
        assert_eq!(e.kind, CompileErrorKind::RangeError);
        assert_eq!(e.message, "Maximum call stack size exceeded (code is nested too deeply)");
    }
}

#[test]
fn script_shape() {
    let (_vm, code) = compile_ok("var a = 1; let b = 2; function f() {} a");
    assert!(code.flags.is_script);
    let ops = &code.ops;
    assert!(ops.iter().any(|o| matches!(o, Op::DeclareGlobalVar(_))));
    assert!(ops.iter().any(|o| matches!(o, Op::DeclareGlobalLex { is_const: false, .. })));
    assert!(ops.iter().any(|o| matches!(o, Op::DeclareGlobalFunction(_))));
    assert!(ops.iter().any(|o| matches!(o, Op::InitGlobalLex(_))));
    assert_eq!(code.span, (0, 39));
}

#[test]
fn captured_bindings_use_environments() {
    let (_vm, code) = compile_ok("function f() { let a = 1, b = 2; return () => a + b; }");
    let f = Gc::<Code>::from_value(*code.consts.iter().find(|c| Gc::<Code>::try_from_value(**c).is_some()).unwrap());
    assert!(f.ops.iter().any(|o| matches!(o, Op::PushEnv(2))), "{}", f.disassemble());
    let (_vm2, code) = compile_ok("function g() { let a = 1; return a; }");
    let g = Gc::<Code>::from_value(*code.consts.iter().find(|c| Gc::<Code>::try_from_value(**c).is_some()).unwrap());
    assert!(!g.ops.iter().any(|o| matches!(o, Op::PushEnv(_))), "{}", g.disassemble());
    assert!(!g.ops.iter().any(|o| matches!(o, Op::ThrowIfEmpty(_))), "{}", g.disassemble());
}

#[test]
fn function_metadata() {
    let (_vm, code) = compile_ok("function f(a, b = 1, c) {} var g = function() {}; var h = (x, ...y) => x;");
    let codes: Vec<Gc<Code>> = code.consts.iter().filter_map(|&c| Gc::<Code>::try_from_value(c)).collect();
    let f = codes.iter().find(|c| c.name_string() == "f").unwrap();
    assert_eq!((f.nparams, f.length), (3, 1));
    assert_eq!(&code.source.text[f.span.0 as usize..f.span.1 as usize], "function f(a, b = 1, c) {}");
    assert!(codes.iter().any(|c| c.name_string() == "g"));
    let h = codes.iter().find(|c| c.name_string() == "h").unwrap();
    assert!(h.flags.arrow);
    assert_eq!((h.nparams, h.length), (1, 1));
}

// ----- end-to-end through the interpreter -----

fn run(src: &str) -> String {
    let mut vm = Vm::new(0, 0, None);
    let realm = crate::vm::bootstrap::create_realm(&mut vm);
    let code = match compile_script(&mut vm, src, "test.js") {
        Ok(c) => c,
        Err(e) => return format!("compile error: {e}"),
    };
    check_code(&code);
    match vm.run_script(realm, code) {
        Ok(v) => describe(v),
        Err(crate::vm::Unwind::Throw(v)) => format!("throw {}", describe(v)),
        Err(e) => format!("{e:?}"),
    }
}

fn describe(v: Value) -> String {
    if v.is_number() {
        let d = v.as_number();
        if d == d.trunc() && d.abs() < 1e15 { format!("{}", d as i64) } else { format!("{d}") }
    } else if let Some(s) = Gc::<JsString>::try_from_value(v) {
        s.to_rust_string()
    } else if v.is_bool() {
        v.as_bool().to_string()
    } else if v.is_undefined() {
        "undefined".into()
    } else if v.is_null() {
        "null".into()
    } else {
        format!("{v:?}")
    }
}

const E2E: &[(&str, &str)] = &[
    ("1 + 2", "3"),
    ("var x = 2; x * 21", "42"),
    ("let s = 'a'; s + 'b'", "ab"),
    ("'x'; var y;", "x"),
    ("1; if (true) {}", "undefined"),
    ("function f(a, b) { return a - b; } f(10, 3)", "7"),
    ("function f(a, b = 5) { return a + b; } f(1)", "6"),
    ("function f(...r) { return r.length; } f(1, 2, 3)", "3"),
    ("function f() { return arguments.length; } f(1, 2)", "2"),
    ("var c = (() => { let n = 0; return () => ++n; })(); c(); c(); c()", "3"),
    ("var fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); fs[0]() + fs[1]() + fs[2]()", "3"),
    ("var t = 0; for (var i = 0; i < 10; i++) { if (i == 5) break; if (i % 2) continue; t += i; } t", "6"),
    ("var n = 0; outer: for (var i = 0; i < 3; i++) for (var j = 0; j < 3; j++) { if (j == 1) continue outer; n++; } n", "3"),
    ("var r = ''; switch (2) { case 1: r += 'a'; case 2: r += 'b'; case 3: r += 'c'; break; default: r += 'd'; } r", "bc"),
    ("var r = ''; switch (9) { case 1: r += 'a'; default: r += 'd'; case 3: r += 'c'; } r", "dc"),
    ("try { throw 5; } catch (e) { e + 1 }", "6"),
    ("function f() { try { return 1; } finally { g = 2; } } var g; f() + g", "3"),
    ("var log = ''; function f() { for (var i = 0; i < 3; i++) { try { if (i == 1) return 'r'; } finally { log += i; } } } f() + log", "r01"),
    ("var x = 0; try { try { throw 1; } finally { x = 1; } } catch (e) { x += e; } x", "2"),
    ("var s = 0; for (var v of [1, 2, 3]) s += v; s", "6"),
    ("var k = ''; for (var p in {a: 1, b: 2}) k += p; k", "ab"),
    ("var [a, , b = 3, ...c] = [1, 2, undefined, 4, 5]; a + b + c.length", "6"),
    ("var {a, b: {c}, d = 4, ...r} = {a: 1, b: {c: 2}, e: 5, f: 6}; a + c + d + Object.keys(r).length", "9"),
    ("var a = 1, b = 2; [a, b] = [b, a]; '' + a + b", "21"),
    ("var o = {x: 1, get y() { return this.x + 1; }, m() { return this.y * 2; }}; o.m()", "4"),
    ("var o = {a: 1}; o?.a + (o.b?.c === undefined ? 10 : 0)", "11"),
    ("var u; u?.x.y.z", "undefined"),
    ("`a${1 + 1}b`", "a2b"),
    ("function t(s, ...v) { return s.raw[0] + v[0]; } t`x${1}y`", "x1"),
    ("typeof nope", "undefined"),
    ("var f = function() {}; f.name", "f"),
    ("let g = () => 1; g.name", "g"),
    ("var o = {m() {}}; o.m.name", "m"),
    ("class A { constructor(x) { this.x = x; } get dbl() { return this.x * 2; } static make() { return new A(4); } } A.make().dbl", "8"),
    ("class A { m() { return 1; } } class B extends A { m() { return super.m() + 1; } } new B().m()", "2"),
    ("class A { constructor(v) { this.v = v; } } class B extends A {} new B(7).v", "7"),
    ("class C { x = 1; y = this.x + 1; static s = 5; static { C.t = C.s + 1; } } new C().y + C.t", "8"),
    ("class C { static n = C.name; } C.n", "C"),
    ("let D = class { }; D.name", "D"),
    ("var k = 'dyn'; class C { [k] = 3; } new C().dyn", "3"),
    ("try { x; let x = 1; } catch (e) { e instanceof ReferenceError }", "true"),
    ("const c = 1; try { c = 2; } catch (e) { e instanceof TypeError }", "true"),
    ("var f = function fact(n) { return n <= 1 ? 1 : n * fact(n - 1); }; f(5)", "120"),
    ("function F() { this.a = 1; } new F().a", "1"),
    ("var a = [1, 2]; Math.max(...a, 0)", "2"),
    ("[1, , 3].length", "3"),
    ("var x = 5; x **= 2; x", "25"),
    ("var x = null; x ??= 7; x", "7"),
    ("var i = 1; var j = i++ + ++i; '' + i + j", "34"),
    ("var o = {p: 1}; o.p++; o.p", "2"),
    ("delete Math.nope", "true"),
    ("({a: 1}).hasOwnProperty('a')", "true"),
    ("void 0 === undefined", "true"),
    ("1 < 2 && 'yes'", "yes"),
    ("(function() { 'use strict'; return this; })()", "undefined"),
    ("var n = 0; do { n++; } while (n < 5); n", "5"),
    ("var n = 0; while (true) { if (++n > 3) break; } n", "4"),
    ("{ function bf() { return 9; } } bf()", "9"),
    ("var s = ''; for (const [k, v] of [['a', 1], ['b', 2]]) s += k + v; s", "a1b2"),
    (
        "var closed = false; var it = { [Symbol.iterator]() { return { next() { return {value: 1, done: false}; }, return() { closed = true; return {}; } }; } }; for (var v of it) break; closed",
        "true",
    ),
    (
        "var closed = 0; var it = { [Symbol.iterator]() { return { next() { return {value: 1, done: false}; }, return() { closed++; return {}; } }; } }; var [q] = it; closed",
        "1",
    ),
    ("var e2; try { null.x; } catch (e) { e2 = e instanceof TypeError; } e2", "true"),
];

#[test]
fn end_to_end() {
    let mut failures = Vec::new();
    for &(src, expected) in E2E {
        let got = std::panic::catch_unwind(|| run(src)).unwrap_or_else(|_| "panic".into());
        if got != expected {
            failures.push(format!("{src}\n  expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{} end-to-end failures:\n{}", failures.len(), failures.join("\n"));
}

/// Direct eval runs in the caller's scope (ECMA-262 PerformEval with
/// direct = true): `eval('x')` inside the function sees its local `x`.
#[test]
#[ignore = "direct eval not implemented: acts as indirect (global) eval"]
fn direct_eval_sees_the_callers_scope() {
    assert_eq!(run("var x = 10; (function () { var x = 1; return eval('x'); })()"), "1");
    // The var lands in the function's scope, not on the global object.
    assert_eq!(run("(function () { eval('var y = 5'); return typeof y; })() + ',' + typeof y"), "number,undefined");
}

/// The `with` statement puts the object's properties in scope (sloppy mode).
#[test]
#[ignore = "the with statement is not implemented (compile error: not supported yet)"]
fn with_statement_scopes_the_object() {
    assert_eq!(run("var obj = {a: 1}; var r; with (obj) { r = a; } r"), "1");
    assert_eq!(run("var obj = {a: 1}; with (obj) { a = 2; } obj.a"), "2");
}

const E2E_MORE: &[(&str, &str)] = &[
    ("(function fact(n) { return n ? n * (() => fact)()(n - 1) : 1; })(5)", "120"),
    ("let F = class Named { m() { return Named; } }; new F().m() === F", "true"),
    ("class A { m() { return this; } } A.prototype.m.call(undefined) === undefined", "true"),
    ("function f() { try { return 1; } finally { return 2; } } f()", "2"),
    ("function f() { for (;;) { try { break; } finally { return 'fin'; } } } f()", "fin"),
    ("var n = 0; for (var i = 0; i < 3; i++) { try { continue; } finally { n++; } } n", "3"),
    (
        "var log = []; var it = { [Symbol.iterator]() { var i = 0; return { next() { return {value: i++, done: i > 5}; }, return() { log.push('ret'); return {}; } }; } }; try { for (var v of it) { if (v == 2) throw 'boom'; } } catch (e) { log.push(e); } log.join()",
        "ret,boom",
    ),
    (
        "var log = []; var it = { [Symbol.iterator]() { var i = 0; return { next() { return {value: i++, done: i > 5}; }, return() { log.push('ret'); return {}; } }; } }; function f() { for (var v of it) { if (v == 1) return v; } } f() + log.join()",
        "1ret",
    ),
    (
        "var log = []; var mk = () => ({ [Symbol.iterator]() { var i = 0; return { next() { return {value: i++, done: i > 3}; }, return() { log.push('r'); return {}; } }; } }); outer: for (var a of mk()) { for (var b of mk()) { continue outer; } } log.join()",
        "r,r,r",
    ),
    ("var fs = []; for (let k in {a: 1, b: 2}) fs.push(() => k); fs[0]() + fs[1]()", "ab"),
    ("var fs = []; for (const v of [1, 2]) fs.push(() => v); fs[0]() + fs[1]()", "3"),
    ("var fs = []; for (let i = 0; i < 2; i++) { let j = i * 10; fs.push(() => j); } fs[1]()", "10"),
    ("function f() { return (() => arguments[0])(); } f(42)", "42"),
    ("function f(a) { var g = () => a; a = 5; return g(); } f(1)", "5"),
    ("function f(a, b = () => a) { a = 3; return b(); } f(1)", "3"),
    ("function f({x, y: [z] = [9]}) { return x + z; } f({x: 1})", "10"),
    ("var r = ''; var o = { get a() { r += 'a'; return 1; } }; var {a, ...rest} = o; r + a", "a1"),
    ("var s = ''; switch (1) { case 0: let x = 1; case 1: try { x; } catch (e) { s = 'tdz'; } } s", "tdz"),
    ("1; do { 2; break; } while (false)", "2"),
    ("3; try { 4; } finally { 5; }", "4"),
    ("var x = 1; { let x = 2; } x", "1"),
    ("let g = 1; function read() { return g; } g = 2; read()", "2"),
    ("const o = { __proto__: { x: 7 }, m() { return super.x; } }; o.m()", "7"),
    ("class A { static get s() { return 's'; } static set s(v) {} } A.s", "s"),
    ("class A { ['a' + 'b']() { return 1; } } new A().ab()", "1"),
    ("class A { f = () => this; } var a = new A(); a.f() === a", "true"),
    ("class B { constructor() { this.v = 1; } } class C extends B { w = this.v + 1; } new C().w", "2"),
    ("var o = { f: function () {}, [\"g\"]: () => 1 }; o.f.name + o.g.name", "fg"),
    ("var x; x = function () {}; x.name", "x"),
    ("var [f = function () {}] = []; f.name", "f"),
    ("var obj = {a: 1}; var with_ = 2; with_ + typeof obj.b", "2undefined"),
    ("var a = {b: {c() { return this === a.b; }}}; a.b.c()", "true"),
    ("var a = {b: {c() { return this; }}}; (a?.b).c() === a.b", "true"),
    ("var a = null; a?.b.c.d()", "undefined"),
    ("var o = {x: 1}; delete o.x; 'x' in o", "false"),
    ("var i = 0; var a = [10, 20]; a[i++] += 5; a[0] + ',' + i", "15,1"),
    ("var t = 0; for (var [a, b] of [[1, 2], [3, 4]]) t += a * b; t", "14"),
    ("var o = {}; [o.a, o['b']] = [1, 2]; o.a + o.b", "3"),
    ("var o = {}; ({x: o.y} = {x: 5}); o.y", "5"),
    ("function f() { 'use strict'; try { undeclared = 1; } catch (e) { return e instanceof ReferenceError; } } f()", "true"),
    ("var x = 10; (function () { var x = 1; return (0, eval)('x'); })()", "10"),
    ("var x = 10; (function () { var x = 1; var e = eval; return e('x'); })()", "10"),
    ("var v = 0; lbl: { v = 1; break lbl; v = 2; } v", "1"),
    ("var c = 0; a: b: for (;;) { for (;;) { c++; if (c > 2) break a; continue b; } } c", "3"),
    ("function f() { return typeof this; } f.call(5)", "object"),
    ("'\\ud800'.length", "1"),
    ("`\\ud800`.charCodeAt(0)", "55296"),
    ("String.raw`a\\nb`", "a\\nb"),
    // A try statement's completion value is its block's: the catch is not taken.
    ("try { String.raw`a\\nb` } catch (e) { 'caught ' + e }", "a\\nb"),
    ("function t(s) { return s[0] === undefined && s.raw[0] === '\\\\unicode'; } t`\\unicode`", "true"),
    ("function f() {} f.toString()", "function f() {}"),
    ("class K { m() {} } K.prototype.m.toString()", "m() {}"),
    ("class K { static /* c */ get x() { return 1; } } Object.getOwnPropertyDescriptor(K, 'x').get.toString()", "get x() { return 1; }"),
    ("class K { static\n// c\n m() {} } K.m.toString()", "m() {}"),
    ("var s = 0; var o = {a: 1, b: 2}; for (var k in o) { if (k == 'a') continue; s += o[k]; } s", "2"),
    ("var e = 0; try { for (var k in null) e++; } catch (x) { e = -1; } e", "0"),
    ("var n = 0; try { throw 1; } catch { n = 2; } n", "2"),
    ("var r; try { throw {m: 'x'}; } catch ({m}) { r = m; } r", "x"),
    ("function f() { let x = 1; { let x = 2; var g = () => x; } return g() + x; } f()", "3"),
    ("var x = 'outer'; function f() { return typeof x2; let x2; } try { f() } catch (e) { e.constructor.name }", "ReferenceError"),
    ("(() => { try { return 1; } finally { } })()", "1"),
    ("var z = 1; z++ + z--", "3"),
    ("var q = '5'; q++; q", "6"),
    ("function t() { var arguments; return arguments.length; } t(1, 2)", "2"),
    ("function t() { var arguments = undefined; return (function () { return arguments.length; })(); } t()", "0"),
    ("var f = function (x = arguments) { let arguments; return x.length; }; f(undefined, 1)", "2"),
    ("function t(arguments) { return arguments; } t(5)", "5"),
    ("function t() { let arguments = 3; return arguments; } t()", "3"),
    ("function t() { let a = 1; return a + (a = 5); } t()", "6"),
    ("function t() { let a = 'x'; let b = 'y'; return a + b + a; } t()", "xyx"),
    ("function t() { let o = {x: 1, m() { return this.x; }}; let k = 'x'; return o.x + o[k] + o.m(); } t()", "3"),
    ("function t() { let i = 0; i++; i++; for (let j = 0; j < 3; j++) i++; return i; } t()", "5"),
    ("function t() { let i = 0, j = (i++, i++, i); return j; } t()", "2"),
    ("if (true) function iff() { return 'iff'; } iff()", "iff"),
    ("function w() { if (true) function g() { return 'g'; } return g(); } w()", "g"),
    ("var q = '5'; var r = q++; typeof r", "number"),
];

#[test]
fn end_to_end_more() {
    let mut failures = Vec::new();
    for &(src, expected) in E2E_MORE {
        let got = std::panic::catch_unwind(|| run(src)).unwrap_or_else(|_| "panic".into());
        if got != expected {
            failures.push(format!("{src}\n  expected {expected}, got {got}"));
        }
    }
    assert!(failures.is_empty(), "{} end-to-end failures:\n{}", failures.len(), failures.join("\n"));
}

// ----- test262 sweeps (run manually: `cargo test --lib test262_ -- --ignored --nocapture`) -----

const TEST262: &str = "/work/shared/test262";

struct Meta {
    negative_phase: Option<String>,
    negative_type: Option<String>,
    flags: Vec<String>,
    includes: Vec<String>,
    features: Vec<String>,
}

fn parse_meta(src: &str) -> Meta {
    let mut m = Meta { negative_phase: None, negative_type: None, flags: vec![], includes: vec![], features: vec![] };
    let (Some(a), Some(b)) = (src.find("/*---"), src.find("---*/")) else {
        return m;
    };
    let yaml = &src[a + 5..b];
    let list = |s: &str| -> Vec<String> {
        s.trim().trim_start_matches('[').trim_end_matches(']').split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect()
    };
    let mut in_neg = false;
    let mut cur_list: Option<&str> = None;
    for line in yaml.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("- ") {
            match cur_list {
                Some("includes") => m.includes.push(rest.trim().to_string()),
                Some("features") => m.features.push(rest.trim().to_string()),
                Some("flags") => m.flags.push(rest.trim().to_string()),
                _ => {}
            }
            continue;
        }
        cur_list = None;
        if !line.starts_with(' ') {
            in_neg = false;
        }
        if let Some(v) = t.strip_prefix("flags:") {
            m.flags = list(v);
            cur_list = Some("flags");
        } else if let Some(v) = t.strip_prefix("includes:") {
            m.includes = list(v);
            cur_list = Some("includes");
        } else if let Some(v) = t.strip_prefix("features:") {
            m.features = list(v);
            cur_list = Some("features");
        } else if t.starts_with("negative:") {
            in_neg = true;
        } else if in_neg && t.starts_with("phase:") {
            m.negative_phase = Some(t[6..].trim().to_string());
        } else if in_neg && t.starts_with("type:") {
            m.negative_type = Some(t[5..].trim().to_string());
        }
    }
    m
}

fn test262_files(sub: &str) -> Vec<std::path::PathBuf> {
    fn walk(d: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "js") && !p.to_string_lossy().contains("_FIXTURE") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&std::path::Path::new(TEST262).join(sub), &mut v);
    v.sort();
    v
}

fn skip_features() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/test262/skip-features.txt")).unwrap_or_default();
    text.lines().filter_map(|l| l.split('#').next()).map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect()
}

/// Compile-only sweep: positive tests must compile (or hit a documented unsupported
/// feature), negative parse tests must fail to compile.
#[test]
#[ignore]
fn test262_compile_sweep() {
    let filter = std::env::var("T262").unwrap_or_else(|_| "test/language".into());
    let mut vm = Vm::new(0, 0, None);
    let (mut ok, mut unsupported_n, mut bad) = (0, 0, Vec::new());
    let mut reasons = std::collections::BTreeMap::new();
    for p in test262_files(&filter) {
        let src = std::fs::read_to_string(&p).unwrap();
        let meta = parse_meta(&src);
        if meta.flags.iter().any(|f| f == "module") {
            continue;
        }
        let strict = meta.flags.iter().any(|f| f == "onlyStrict");
        let text = if strict { format!("\"use strict\";\n{src}") } else { src.clone() };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compile_script(&mut vm, &text, "t.js").map(|c| check_code(&c))));
        let name = p.strip_prefix(TEST262).unwrap().display().to_string();
        let negative_parse = matches!(meta.negative_phase.as_deref(), Some("parse"));
        match r {
            Err(_) => bad.push(format!("PANIC {name}")),
            Ok(Ok(())) if negative_parse => bad.push(format!("ACCEPTED {name}")),
            Ok(Ok(())) => ok += 1,
            Ok(Err(e)) if negative_parse => {
                let _ = e;
                ok += 1
            }
            Ok(Err(e)) if e.message.contains("not supported yet") => {
                unsupported_n += 1;
                *reasons.entry(e.message.clone()).or_insert(0) += 1;
            }
            Ok(Err(e)) => bad.push(format!("REJECTED {name}: {}", e.message)),
        }
    }
    for b in &bad {
        println!("{b}");
    }
    println!("{reasons:#?}");
    println!("ok {ok}, unsupported {unsupported_n}, bad {}", bad.len());
}

/// End-to-end sweep of synchronous non-module tests with the standard harness.
#[test]
#[ignore]
fn test262_run_sweep() {
    let filter = std::env::var("T262").unwrap_or_else(|_| "test/language".into());
    let skip = skip_features();
    let harness = |n: &str| std::fs::read_to_string(format!("{TEST262}/harness/{n}")).unwrap_or_default();
    let base = format!("{}\n{}\n", harness("assert.js"), harness("sta.js"));
    let (mut pass, mut fail, mut skipped) = (0, Vec::new(), 0);
    for p in test262_files(&filter) {
        let src = std::fs::read_to_string(&p).unwrap();
        let meta = parse_meta(&src);
        if meta.flags.iter().any(|f| f == "module" || f == "async" || f == "CanBlockIsTrue")
            || meta.features.iter().any(|f| skip.contains(f))
            || matches!(meta.negative_phase.as_deref(), Some("parse") | Some("resolution"))
        {
            skipped += 1;
            continue;
        }
        let name = p.strip_prefix(TEST262).unwrap().display().to_string();
        let mut modes = vec![];
        if meta.flags.iter().any(|f| f == "raw") {
            modes.push(false);
        } else {
            if !meta.flags.iter().any(|f| f == "onlyStrict") {
                modes.push(false);
            }
            if !meta.flags.iter().any(|f| f == "noStrict") {
                modes.push(true);
            }
        }
        for strict in modes {
            let mut text = String::new();
            if strict {
                text.push_str("\"use strict\";\n");
            }
            if !meta.flags.iter().any(|f| f == "raw") {
                text.push_str(&base);
                for inc in &meta.includes {
                    text.push_str(&harness(inc));
                    text.push('\n');
                }
            }
            text.push_str(&src);
            let outcome = std::panic::catch_unwind(|| {
                let mut vm = Vm::new(0, 0, None);
                let realm = crate::vm::bootstrap::create_realm(&mut vm);
                let code = match compile_script(&mut vm, &text, "t.js") {
                    Ok(c) => c,
                    Err(e) if e.message.contains("not supported yet") => return Ok(None),
                    Err(e) => return Err(format!("compile error: {}", e.message)),
                };
                let handle = vm.terminate_handle();
                let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
                let d2 = done.clone();
                let watchdog = std::thread::spawn(move || {
                    for _ in 0..100 {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        if d2.load(std::sync::atomic::Ordering::SeqCst) {
                            return;
                        }
                    }
                    handle.terminate();
                });
                let r = vm.run_script(realm, code);
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                let _ = watchdog.join();
                let threw = match r {
                    Ok(_) => None,
                    Err(crate::vm::Unwind::Throw(v)) => {
                        let mut msg = describe(v);
                        if let Some(o) = crate::vm::object::JsObject::from_value(v) {
                            let k = crate::vm::object::PropertyKey::Atom(vm.atom("message"));
                            if let Ok(m) = vm.get(o, k, v) {
                                msg = describe(m);
                            }
                            let k = crate::vm::object::PropertyKey::Atom(vm.atom("name"));
                            if let Ok(n) = vm.get(o, k, v) {
                                msg = format!("{}: {msg}", describe(n));
                            }
                        }
                        Some(msg)
                    }
                    Err(e) => Some(format!("{e:?}")),
                };
                Ok(Some(threw))
            });
            match outcome {
                Err(_) => fail.push(format!("PANIC {name}")),
                Ok(Err(e)) => fail.push(format!("{name}: {e}")),
                Ok(Ok(None)) => skipped += 1,
                Ok(Ok(Some(threw))) => {
                    let expect_throw = meta.negative_type.clone();
                    match (expect_throw, threw) {
                        (None, None) => pass += 1,
                        (Some(t), Some(m)) if m.starts_with(&t) => pass += 1,
                        (Some(t), None) => fail.push(format!("{name} [{}]: expected {t}", if strict { "strict" } else { "sloppy" })),
                        (_, Some(m)) => fail.push(format!("{name} [{}]: {m}", if strict { "strict" } else { "sloppy" })),
                    }
                }
            }
        }
    }
    for f in &fail {
        println!("{f}");
    }
    println!("pass {pass}, fail {}, skipped {skipped}", fail.len());
}

/// Prints the bytecode of the file in $DIS (debugging aid).
#[test]
#[ignore]
fn disassemble_file() {
    let path = std::env::var("DIS").expect("set DIS to the path of a JS file: DIS=file.js cargo test --lib disassemble_file -- --ignored --nocapture");
    let src = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut vm = Vm::new(0, 0, None);
    match disassemble_script(&mut vm, &src) {
        Ok(t) => println!("{t}"),
        Err(e) => panic!("{path} does not compile: {e}"),
    }
}

#[test]
fn token_bound_never_undercounts() {
    use super::front_end::token_bound;
    assert_eq!(token_bound(""), 0);
    assert_eq!(token_bound(" \t\r\n"), 0);
    assert_eq!(token_bound("a = b"), 3);
    assert_eq!(token_bound("foo123 $bar_"), 2);
    assert_eq!(token_bound("[[[((("), 6);
    assert_eq!(token_bound("new new new f"), 4);
    // A non-ASCII separator between keywords: every byte counts.
    assert!(token_bound("new\u{a0}new\u{a0}f") >= 3);
    // Inside strings and comments every punctuator still counts.
    assert_eq!(token_bound("'(('"), 4);
    assert_eq!(token_bound("/*[*/"), 5);
}

/// An interrupt that asks to run again at the next poll until it has run
/// `nth` times, then requests termination: it counts the polls a
/// compilation makes and stops it at a chosen one.
fn terminate_at_poll(
    handle: crate::vm::isolate::TerminateHandle,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    nth: usize,
) -> crate::vm::isolate::InterruptFn {
    Box::new(move |_vm: &mut Vm| {
        let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n >= nth {
            handle.terminate();
        } else {
            handle.request_interrupt(terminate_at_poll(handle.clone(), calls, nth));
        }
    })
}

/// Compiles `src` with termination requested at the `nth` poll; returns the
/// result and how many polls ran.
fn compile_terminated_at_poll(src: &str, nth: usize) -> (Result<Gc<Code>, CompileError>, usize) {
    let mut vm = Vm::new(0, 0, None);
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handle = vm.terminate_handle();
    handle.request_interrupt(terminate_at_poll(handle.clone(), calls.clone(), nth));
    let r = compile_script(&mut vm, src, "t");
    (r, calls.load(std::sync::atomic::Ordering::SeqCst))
}

#[test]
fn termination_stops_the_code_generator() {
    // A short source is parsed in place after one poll (counting tokens);
    // every later poll is the code generator's.
    let src = "x = [1, 2, 3].length;\n".repeat(1000);
    let (r, polls) = compile_terminated_at_poll(&src, 3);
    let e = r.expect_err("compiled despite termination");
    assert_eq!(e.kind, CompileErrorKind::Stopped(crate::vm::Unwind::Terminate));
    assert_eq!(polls, 3);
    // Untouched, it compiles, polling once per statement and expression.
    let (r, polls) = compile_terminated_at_poll(&src, usize::MAX);
    assert!(r.is_ok());
    assert!(polls > 3000, "{polls} polls");
}

#[test]
fn termination_stops_waiting_for_a_long_parse() {
    // 3 MiB: three polls while counting tokens, then the parse runs on a
    // worker and the caller polls while it waits.
    let src = "x = [1, 2, 3].length;\n".repeat((3 << 20) / 22 + 1);
    assert!(src.len() >= 3 << 20);
    let (r, polls) = compile_terminated_at_poll(&src, 5);
    let e = r.expect_err("compiled despite termination");
    assert_eq!(e.kind, CompileErrorKind::Stopped(crate::vm::Unwind::Terminate));
    assert_eq!(polls, 5);
}

#[test]
fn straight_line_code_has_safepoints() {
    let mut vm = Vm::new(0, 0, None);
    // (safepoints, instructions)
    let count = |vm: &mut Vm, src: &str| {
        let code = compile_script(vm, src, "t").unwrap();
        (code.ops.iter().filter(|op| matches!(op, Op::Safepoint)).count(), code.ops.len())
    };
    assert_eq!(count(&mut vm, &"x = 1;\n".repeat(100)).0, 0);
    // One safepoint per 4,096 instructions or a statement more.
    let (n, total) = count(&mut vm, &"x = 1;\n".repeat(100_000));
    assert!(n >= total / 4200 && n <= total / 4096 + 1, "{n} safepoints in {total} instructions");
    // And they run: in a straight-line script, the first poll is at entry,
    // the second at the first Safepoint, where termination ends it.
    let realm = crate::vm::bootstrap::create_realm(&mut vm);
    let code = compile_script(&mut vm, &"x = [1, 2, 3].length;\n".repeat(100_000), "t").unwrap();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handle = vm.terminate_handle();
    handle.request_interrupt(terminate_at_poll(handle.clone(), calls.clone(), 2));
    assert_eq!(vm.run_script(realm, code).unwrap_err(), crate::vm::Unwind::Terminate);
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
}

/// `(a=` nested `depth` deep: oxc's speculative arrow-parameter parse takes
/// memory quadratic in the depth (about 260 MB at 2,000).
fn arrow_speculation_bomb(depth: usize) -> String {
    format!("{}1{}", "(a=".repeat(depth), ")".repeat(depth))
}

#[test]
fn a_parse_outgrowing_the_heap_limit_is_out_of_memory() {
    let mut vm = Vm::new(32 << 20, 0, None);
    let started = std::time::Instant::now();
    let e = compile_script(&mut vm, &arrow_speculation_bomb(4_000), "t").expect_err("a 1 GB parse fit a 32 MB heap");
    assert_eq!(e.kind, CompileErrorKind::Stopped(crate::vm::Unwind::OutOfMemory));
    // Before the arena was bounded this took 1 GB and seconds.
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // Sources of 1 MiB or more are parsed on a worker, into an arena as
    // bounded: this flat 8 MiB script takes about 150 MB of AST.
    let mut vm = Vm::new(32 << 20, 0, None);
    let big = "x = [1, 2, 3].length;\n".repeat((8 << 20) / 22);
    let e = compile_script(&mut vm, &big, "t").expect_err("an 8 MiB script's AST fit a 32 MB heap");
    assert_eq!(e.kind, CompileErrorKind::Stopped(crate::vm::Unwind::OutOfMemory));
    // The same parses fit a big enough heap (the default limit).
    let mut vm = Vm::new(0, 0, None);
    compile_script(&mut vm, &arrow_speculation_bomb(1_000), "t").unwrap();
}

#[test]
fn a_parse_outgrowing_its_arena_gets_room_from_the_near_heap_limit_callback() {
    // 1,000 levels need about 70 MB of arena: a 16 MB heap has no room until
    // the callback raises the limit to 256 MB.
    let mut vm = Vm::new(16 << 20, 0, None);
    let raised = std::rc::Rc::new(std::cell::Cell::new(0));
    let seen = raised.clone();
    vm.add_near_heap_limit_callback(
        (0, 0),
        Box::new(move |_, current, _| {
            seen.set(seen.get() + 1);
            current.max(256 << 20)
        }),
    );
    compile_script(&mut vm, &arrow_speculation_bomb(1_000), "t").unwrap();
    assert_eq!(raised.get(), 1);
    assert_eq!(vm.heap.limit, 256 << 20);
}
