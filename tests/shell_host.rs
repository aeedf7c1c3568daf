//! The `sable` shell's Node-like host, driven as a process: console and
//! util.inspect output compared byte for byte with node 20's (the expected
//! files in tests/data were made by running node on the same scripts), the
//! event loop's order, process exit codes and 'exit' listeners, argv,
//! require, and the test262 mode keeping its plain globals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn sable(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sable")).args(args).output().expect("run sable")
}

/// Writes `src` to a script file named `name` in the test temp dir and returns its path.
fn script(name: &str, src: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shell_host_{name}.js"));
    std::fs::write(&path, src).expect("write script");
    path
}

/// Runs `src` as a script file; returns (stdout, stderr, exit code).
fn run_script(name: &str, src: &str) -> (String, String, i32) {
    let path = script(name, src);
    let out = sable(&[path.to_str().unwrap()]);
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.code().unwrap_or(-1))
}

/// Runs a data script and checks its stdout against node's, byte for byte.
fn assert_matches_node(script: &str, expected: &str) -> Output {
    check_against_node(script, expected, sable(&[data(script).to_str().unwrap()]))
}

/// As `assert_matches_node`, for scripts whose output depends on wall-clock
/// timing (intervals against timeouts): run without GC stress, which makes
/// every callback orders of magnitude slower and so reorders them, as it
/// would in node if node were slowed that much.
fn assert_timing_matches_node(script: &str, expected: &str) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_sable")).arg(data(script)).env_remove("SABLE_GC_STRESS").output().expect("run sable");
    check_against_node(script, expected, out)
}

fn check_against_node(script: &str, expected: &str, out: Output) -> Output {
    let want = std::fs::read(data(expected)).expect("expected output");
    if out.stdout != want {
        let got = String::from_utf8_lossy(&out.stdout);
        let want = String::from_utf8_lossy(&want);
        let first = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{script}: output differs from node's at line {}\n--- node\n{}\n--- sable\n{}\n--- stderr\n{}",
            first + 1,
            want.lines().skip(first).take(8).collect::<Vec<_>>().join("\n"),
            got.lines().skip(first).take(8).collect::<Vec<_>>().join("\n"),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(out.status.code(), Some(0), "{script}: exit status; stderr: {}", String::from_utf8_lossy(&out.stderr));
    out
}

#[test]
fn console_log_matches_node() {
    let out = assert_matches_node("console_samples.js", "console_samples.node.txt");
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn util_inspect_and_format_match_node() {
    let out = assert_matches_node("util_samples.js", "util_samples.node.txt");
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn event_loop_order_matches_node() {
    let out = assert_timing_matches_node("event_loop.js", "event_loop.node.txt");
    // Node's warning for a delay above 2^31-1 (node says `(node:PID)`).
    let err = String::from_utf8_lossy(&out.stderr);
    let pid_free: String = err.split_once(") ").map(|(_, rest)| rest.to_string()).unwrap_or_default();
    assert_eq!(pid_free, "TimeoutOverflowWarning: 2147483648 does not fit into a 32-bit signed integer.\nTimeout duration was set to 1.\n", "stderr: {err}");
}

#[test]
fn set_immediate_order_matches_node() {
    let out = assert_timing_matches_node("immediate.js", "immediate.node.txt");
    assert!(out.stderr.is_empty(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn console_error_and_warn_go_to_stderr() {
    let (out, err, code) = run_script(
        "streams",
        "console.log('out', {a: 1}); console.info('info'); console.debug('debug'); console.error('err', [1]); console.warn('%s!', 'warn');\n\
         process.stdout.write('no newline'); process.stdout.write('|\\n'); process.stderr.write('raw err\\n');",
    );
    assert_eq!(out, "out { a: 1 }\ninfo\ndebug\nno newline|\n");
    assert_eq!(err, "err [ 1 ]\nwarn!\nraw err\n");
    assert_eq!(code, 0);
}

#[test]
fn exit_code_and_exit_listeners() {
    // (script, stdout, exit code); each result was checked against node 20.
    let cases: &[(&str, &str, i32)] = &[
        ("process.exitCode = 3; console.log('a')", "a\n", 3),
        ("process.exitCode = '7'", "", 7),
        ("process.on('exit', (c) => console.log('exit', c, process.exitCode)); process.exitCode = 2", "exit 2 2\n", 2),
        ("process.on('exit', (c) => { console.log('exit', c); process.exitCode = 9 })", "exit 0\n", 9),
        ("process.once('exit', (c) => { console.log('exit', c); process.exit(4) })", "exit 0\n", 4),
        (
            "process.on('exit', (c) => console.log('exit', c)); setTimeout(() => { console.log('t'); process.exit(5); console.log('never') }, 5);\n\
             setTimeout(() => console.log('never 2'), 50)",
            "t\nexit 5\n",
            5,
        ),
        ("setInterval(() => { console.log('iv'); process.exit() }, 1)", "iv\n", 0),
        ("const l = () => console.log('removed'); process.on('exit', l); process.off('exit', l); process.on('exit', () => console.log('kept'))", "kept\n", 0),
        (
            "try { process.exitCode = 'abc' } catch (e) { console.log(e.code, e.message) }\n\
             try { process.exitCode = 1.5 } catch (e) { console.log(e.code) }",
            "ERR_INVALID_ARG_TYPE The \"code\" argument must be of type number. Received type string ('abc')\nERR_OUT_OF_RANGE\n",
            0,
        ),
    ];
    for (i, (src, stdout, code)) in cases.iter().enumerate() {
        let (out, err, got) = run_script(&format!("exit_{i}"), src);
        assert_eq!((out.as_str(), got), (*stdout, *code), "script: {src}\nstderr: {err}");
    }
}

#[test]
fn uncaught_exceptions_end_the_process_with_code_1() {
    // In a timer: reported like any uncaught exception; later timers never run; 'exit' gets 1.
    let (out, err, code) = run_script(
        "timer_throw",
        "process.on('exit', (c) => console.log('exit', c));\n\
         setTimeout(() => { throw new Error('boom') }, 5);\n\
         setTimeout(() => console.log('never'), 50);",
    );
    assert_eq!(out, "exit 1\n");
    assert!(err.starts_with("Uncaught Error: boom\n    at "), "stderr: {err}");
    assert_eq!(code, 1);

    // In the main script, a nextTick callback and a queueMicrotask callback.
    for (name, src, msg) in [
        ("main_throw", "process.on('exit', (c) => console.log('exit', c)); null.x", "Uncaught TypeError: Cannot read properties of null (reading 'x')"),
        (
            "tick_throw",
            "process.on('exit', (c) => console.log('exit', c)); process.nextTick(() => { throw new Error('tick') }); setTimeout(() => console.log('never'), 1)",
            "Uncaught Error: tick",
        ),
        (
            "microtask_throw",
            "process.on('exit', (c) => console.log('exit', c)); queueMicrotask(() => { throw new TypeError('qm') }); setTimeout(() => console.log('never'), 1)",
            "Uncaught TypeError: qm",
        ),
    ] {
        let (out, err, code) = run_script(name, src);
        assert_eq!(out, "exit 1\n", "{name}; stderr: {err}");
        assert!(err.starts_with(msg), "{name}: stderr: {err}");
        assert_eq!(code, 1, "{name}");
    }
}

#[test]
fn timers_and_microtasks_validate_their_callback() {
    let (out, _, code) = run_script(
        "validate",
        "for (const f of [() => setTimeout(), () => setInterval(1), () => queueMicrotask('x'), () => process.nextTick(null)]) {\n\
           try { f() } catch (e) { console.log(e.name, e.code, e.message) }\n\
         }",
    );
    assert_eq!(
        out,
        "TypeError ERR_INVALID_ARG_TYPE The \"callback\" argument must be of type function. Received undefined\n\
         TypeError ERR_INVALID_ARG_TYPE The \"callback\" argument must be of type function. Received type number (1)\n\
         TypeError ERR_INVALID_ARG_TYPE The \"callback\" argument must be of type function. Received type string ('x')\n\
         TypeError ERR_INVALID_ARG_TYPE The \"callback\" argument must be of type function. Received null\n"
    );
    assert_eq!(code, 0);
}

#[test]
fn unref_timers_do_not_keep_the_loop_alive() {
    let start = std::time::Instant::now();
    let (out, _, code) =
        run_script("unref", "setTimeout(() => console.log('never'), 5000).unref(); setInterval(() => console.log('never'), 3000).unref(); console.log('done')");
    assert_eq!((out.as_str(), code), ("done\n", 0));
    assert!(start.elapsed().as_secs() < 3, "the shell waited for unref'd timers");
}

/// The loop sleeps until the next timer: a 600 ms wait costs little CPU time.
#[cfg(target_os = "linux")]
#[test]
fn event_loop_sleeps_instead_of_spinning() {
    let path = script("sleep", "setTimeout(() => console.log('woke'), 600)");
    let cmd = format!("TIMEFORMAT='%U %S %R'; time '{}' '{}'", env!("CARGO_BIN_EXE_sable"), path.display());
    let out = Command::new("bash").arg("-c").arg(&cmd).output().expect("run bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "woke\n");
    let err = String::from_utf8_lossy(&out.stderr);
    let times: Vec<f64> = err.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    assert_eq!(times.len(), 3, "time output: {err}");
    let (cpu, real) = (times[0] + times[1], times[2]);
    assert!(real >= 0.6, "returned before the timer was due ({real}s)");
    assert!(cpu < 0.3, "the loop used {cpu}s of CPU in {real}s");
}

#[test]
fn process_argv_env_and_platform() {
    let path = script(
        "argv",
        "console.log(JSON.stringify(process.argv.slice(1)));\n\
         console.log(process.argv[0] === process.execPath, process.env.SABLE_SHELL_TEST, typeof process.pid, process.platform === 'linux' || process.platform === 'darwin' || process.platform === 'win32');",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sable"))
        .args([path.to_str().unwrap(), "--", "a", "--b", "-c"])
        .env("SABLE_SHELL_TEST", "yes")
        .output()
        .expect("run sable");
    // The temp dir path is absolute already: argv[1] is the path as given.
    let abs = path.clone();
    let want = format!("[{:?},\"a\",\"--b\",\"-c\"]\ntrue yes number true\n", abs.to_str().unwrap());
    assert_eq!(String::from_utf8_lossy(&out.stdout), want, "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn require_knows_only_builtin_modules() {
    let path = script(
        "require",
        "const u = require('util');\n\
         console.log(u === require('node:util'), u.inspect({ a: [1, { b: 2 }] }), u.format('%s-%d', 'x', 7));\n\
         try { require('left-pad') } catch (e) { console.log(JSON.stringify(e.message), e.code, e.requireStack.length) }\n\
         try { require('node:left-pad') } catch (e) { console.log(e.message, e.code) }\n\
         try { require(1) } catch (e) { console.log(e.code) }",
    );
    let out = sable(&[path.to_str().unwrap()]);
    let abs = path.clone();
    let message = format!("Cannot find module 'left-pad'\nRequire stack:\n- {}", abs.display());
    let want = format!(
        "true {{ a: [ 1, {{ b: 2 }} ] }} x-7\n{} MODULE_NOT_FOUND 1\nNo such built-in module: node:left-pad ERR_UNKNOWN_BUILTIN_MODULE\nERR_INVALID_ARG_TYPE\n",
        serde_json_string(&message)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), want, "stderr: {}", String::from_utf8_lossy(&out.stderr));
}

/// JSON.stringify of a plain string (quotes, backslashes and newlines escaped).
fn serde_json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[test]
fn eval_code_gets_the_host_too() {
    let out = sable(&["-e", "setTimeout(() => console.log([1, 'two']), 1); console.log(process.argv.length)", "--", "x"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n[ 1, 'two' ]\n");
}

#[test]
fn print_stays_plain() {
    let (out, _, _) = run_script("print", "print({ a: 1 }, [1, 2], 'x')");
    assert_eq!(out, "[object Object] 1,2 x\n");
}

#[test]
fn test262_mode_keeps_plain_globals() {
    let path =
        script("test262_mode", "console.log({ a: 1 }, [1, 2]); print(typeof setTimeout, typeof process, typeof require, typeof queueMicrotask, typeof $262);");
    let out = sable(&["--test262", path.to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[object Object] 1,2\nundefined undefined undefined undefined object\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn inspect_survives_user_code_replacing_builtins() {
    let (out, err, code) = run_script(
        "robust",
        "const o = { a: 1, get b() { throw new Error('getter ran') }, m: new Map([[1, { x: [1, 2] }]]), s: new Set(['q']) };\n\
         Array.prototype.push = Array.prototype.join = function () { throw new Error('overridden') };\n\
         Map.prototype.entries = Map.prototype[Symbol.iterator] = Set.prototype.values = function () { throw new Error('overridden') };\n\
         Object.keys = () => { throw new Error('overridden') };\n\
         Array.prototype[Symbol.iterator] = function () { throw new Error('overridden') };\n\
         Function.prototype.call = Function.prototype.apply = () => 'bad';\n\
         RegExp.prototype.exec = () => null;\n\
         console.log(o, 'str', `it's`);\n\
         setTimeout((x) => console.log('timer', x), 1, 'ok');",
    );
    assert_eq!(out, "{\n  a: 1,\n  b: [Getter],\n  m: Map(1) { 1 => { x: [Array] } },\n  s: Set(1) { 'q' }\n} str it's\ntimer ok\n", "stderr: {err}");
    assert_eq!(code, 0);
}
