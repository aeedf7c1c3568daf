//! Heap snapshots from the shell: `v8.writeHeapSnapshot` of a program with
//! classes, closures, Map/Set, one- and two-byte strings and ropes, symbols,
//! a WeakMap and a pending promise chain passes the structural check and
//! shows what DevTools shows; ids survive between snapshots; the options;
//! `v8.getHeapSnapshot` streams; bad arguments throw Node's errors; and the
//! triggers: `--heapsnapshot-near-heap-limit`, `v8.setHeapSnapshotNearHeapLimit`,
//! `--heap-snapshot-on-oom` and `--heapsnapshot-signal`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::snapshot_check::{Snapshot, check_file};

fn stress() -> bool {
    std::env::var("SABLE_GC_STRESS").is_ok_and(|v| v == "1")
}

/// Loop counts: as written normally, a hundredth under GC stress.
fn scaled(n: usize) -> usize {
    if stress() { n / 100 } else { n }
}

/// A fresh, empty directory for one test.
fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("heap_snapshot_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the shell in `dir` on `script` (written to `main.js`) with `flags`.
fn shell(dir: &Path, flags: &[&str], script: &str) -> Output {
    std::fs::write(dir.join("main.js"), script).unwrap();
    Command::new(env!("CARGO_BIN_EXE_sable")).current_dir(dir).args(flags).arg("main.js").output().expect("run sable")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The `Heap.*.heapsnapshot` files in `dir`.
fn diagnostic_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("Heap.") && n.ends_with(".heapsnapshot")
        })
        .collect();
    v.sort();
    v
}

/// Node's diagnostic name: Heap.<yyyymmdd>.<hhmmss>.<pid>.<tid>.<seq>.heapsnapshot.
fn assert_diagnostic_name(p: &Path) {
    let n = p.file_name().unwrap().to_string_lossy().into_owned();
    let parts: Vec<&str> = n.split('.').collect();
    assert_eq!(parts.len(), 7, "{n}");
    assert_eq!((parts[0], parts[6]), ("Heap", "heapsnapshot"), "{n}");
    assert!(parts[1].len() == 8 && parts[2].len() == 6 && parts[5].len() == 3, "{n}");
    assert!(parts[1..6].iter().all(|p| p.chars().all(|c| c.is_ascii_digit())), "{n}");
}

/// How many nodes named `name` of type `ty` become unreachable once node
/// `without` is removed (`without` retains them).
fn retained_by(s: &Snapshot, without: usize, ty: &str, name: &str) -> usize {
    let first = s.first_edges();
    let mut seen = vec![false; s.node_count()];
    seen[0] = true;
    seen[without] = true;
    let mut stack = vec![0];
    while let Some(n) = stack.pop() {
        for (ety, _, to) in s.edges_of(n, &first) {
            if ety != "weak" && !seen[to] {
                seen[to] = true;
                stack.push(to);
            }
        }
    }
    (0..s.node_count()).filter(|&n| n != without && s.node_type(n) == ty && s.node_name(n) == name && !seen[n]).count()
}

const RICH: &str = r#"
const v8 = require('v8');
class Leak { constructor(i) { this.i = i; this.label = 'leak-' + i; } }
class Point { constructor(x, y) { this.x = x; this.y = y; } norm() { return Math.hypot(this.x, this.y); } }
function makeCounter() { let count = 0; const secret = { hidden: true }; return () => ++count + (secret.hidden ? 1 : 0); }
const counters = [makeCounter(), makeCounter()];
const map = new Map([['a', new Point(1, 2)], ['b', { nested: [1, 2, 3] }]]);
const set = new Set(['x', 'y', new Point(3, 4)]);
const oneByte = 'plain ascii text';
const twoByte = 'caf\u00e9 \u4e2d\u6587 \ud83d\ude00';
let rope = 'a'.repeat(30);
rope = rope + 'b'.repeat(40);
const sym = Symbol('mySymbol');
const withSym = { [sym]: 'value' };
const wm = new WeakMap();
const key = {};
wm.set(key, { payload: 'weakly held' });
const first = new Promise(() => {});
const pending = first.then(x => x + 1).then(x => x * 2);
const leaks = [];
(function fill() { for (let i = 0; i < COUNT; i++) leaks.push(new Leak(i)); })();
const bound = Point.prototype.norm.bind(new Point(5, 6));
const re = /a+b/g;
globalThis.keep = { counters, map, set, oneByte, twoByte, rope, withSym, wm, key, first, pending, leaks, bound, re };
console.log(v8.writeHeapSnapshot('rich.heapsnapshot'));
"#;

#[test]
fn write_heap_snapshot_of_a_rich_program() {
    let dir = work_dir("rich");
    let count = scaled(10_000);
    let out = ok(&shell(&dir, &[], &RICH.replace("COUNT", &count.to_string())));
    assert_eq!(out.trim(), "rich.heapsnapshot");
    let s = check_file(&dir.join("rich.heapsnapshot"));
    assert_eq!(s.count("object", "Leak"), count);
    for (ty, name) in [
        ("closure", "makeCounter"),
        ("closure", "native_bind"),
        ("object", "Point"),
        ("object", "Map"),
        ("object", "Set"),
        ("object", "WeakMap"),
        ("object", "global"),
        ("object", "system / Context"),
        ("string", "plain ascii text"),
        ("string", "caf\u{e9} \u{4e2d}\u{6587} \u{1f600}"),
        ("concatenated string", "(concatenated string)"),
        ("symbol", "symbol"),
        ("regexp", "a+b"),
        ("object shape", "system / Map"),
        ("synthetic", "(GC roots)"),
    ] {
        assert!(s.count(ty, name) > 0, "no {ty} node named {name:?}");
    }
    // The closure's context holds `count` and `secret`; the WeakMap's value
    // is held through its table.
    let first = s.first_edges();
    let names = |n: usize| s.edges_of(n, &first);
    assert!((0..s.node_count()).any(|n| s.node_name(n) == "weakly held"));
    // The symbol-keyed property is named after the symbol.
    assert!((0..s.node_count()).any(|n| names(n).iter().any(|(t, name, _)| t == "property" && name == "<symbol mySymbol>")));
    // The array of Leak objects retains every one of them (it dominates them).
    let array = (0..s.node_count())
        .find(|&n| s.node_name(n) == "Array" && names(n).iter().filter(|(t, _, to)| t == "element" && s.node_name(*to) == "Leak").count() == count)
        .expect("the array holding the Leak objects");
    // (A stale word on the native stack may keep one more path to a Leak:
    // the roots include a conservative scan.)
    let retained = retained_by(&s, array, "object", "Leak");
    assert!(retained + 1 >= count, "the array retains {retained} of {count} Leak objects");
    // The root's user roots: a shortcut edge to the global object.
    assert!(names(0).iter().any(|(t, _, to)| t == "shortcut" && s.node_name(*to) == "global"));
    // Locations: Leak objects point at their constructor's script position.
    let leak_offsets: std::collections::HashSet<u32> =
        (0..s.node_count()).filter(|&n| s.node_type(n) == "object" && s.node_name(n) == "Leak").map(|n| (n * s.node_fields) as u32).collect();
    let located = s.locations.chunks(4).filter(|l| leak_offsets.contains(&l[0])).count();
    assert_eq!(located, count, "every Leak has its constructor's location");
    let line = s.locations.chunks(4).find(|l| leak_offsets.contains(&l[0])).unwrap()[2];
    assert_eq!(line, 2, "class Leak is on line 3 (0-based 2)");
    // Every promise of the pending chain (the shell host may hold more).
    assert!(s.count("object", "Promise") >= 3);
}

#[test]
fn surviving_objects_keep_their_ids() {
    let dir = work_dir("ids");
    let n = scaled(1000).max(10);
    let script = format!(
        r#"const v8 = require('v8');
class Leak {{ constructor(i) {{ this.i = i; }} }}
const leaks = [];
for (let i = 0; i < {n}; i++) leaks.push(new Leak(i));
let garbage = [];
for (let i = 0; i < {n} * 5; i++) garbage.push({{ g: i }});
v8.writeHeapSnapshot('a.heapsnapshot');
garbage = null;
leaks.length = {half};
for (let i = 0; i < {n} * 5; i++) leaks.push({{ fresh: i }});
v8.writeHeapSnapshot('b.heapsnapshot');
"#,
        half = n / 2
    );
    ok(&shell(&dir, &[], &script));
    let (a, b) = (check_file(&dir.join("a.heapsnapshot")), check_file(&dir.join("b.heapsnapshot")));
    let (ids_a, ids_b) = (a.ids_of("object", "Leak"), b.ids_of("object", "Leak"));
    // (A dead Leak may linger in a register of the script's frame.)
    assert_eq!(ids_a.len(), n);
    assert!((n / 2..=n / 2 + 1).contains(&ids_b.len()), "{} Leak objects survive", ids_b.len());
    let before: std::collections::HashSet<u32> = ids_a.into_iter().collect();
    assert!(ids_b.iter().all(|id| before.contains(id)), "every surviving Leak keeps its id");
    // No id of the first snapshot names a different kind of object in the second.
    let names_a: std::collections::HashMap<u32, (String, String)> =
        (0..a.node_count()).map(|i| (a.node_id(i), (a.node_type(i).to_string(), a.node_name(i).to_string()))).collect();
    for i in 0..b.node_count() {
        if let Some((ty, name)) = names_a.get(&b.node_id(i)) {
            assert_eq!((ty.as_str(), name.as_str()), (b.node_type(i), b.node_name(i)), "id {} changed meaning", b.node_id(i));
        }
    }
}

#[test]
fn snapshot_options() {
    let dir = work_dir("options");
    ok(&shell(
        &dir,
        &[],
        "const v8 = require('v8'); globalThis.o = { n: 42, d: 1.5, list: [7, 8] };\n\
         v8.writeHeapSnapshot('plain.heapsnapshot');\n\
         v8.writeHeapSnapshot('internals.heapsnapshot', { exposeInternals: true });\n\
         v8.writeHeapSnapshot('numbers.heapsnapshot', { exposeNumericValues: true });",
    ));
    let plain = check_file(&dir.join("plain.heapsnapshot"));
    let internals = check_file(&dir.join("internals.heapsnapshot"));
    let numbers = check_file(&dir.join("numbers.heapsnapshot"));
    let root_edges = |s: &Snapshot| s.edges_of(0, &s.first_edges());
    assert!(root_edges(&plain).iter().any(|(t, _, _)| t == "shortcut"));
    assert!(root_edges(&internals).iter().all(|(t, _, _)| t != "shortcut"));
    assert_eq!(plain.count("number", "smi number"), 0);
    assert!(numbers.count("number", "smi number") > 0 && numbers.count("number", "heap number") > 0);
    let first = numbers.first_edges();
    let o = (0..numbers.node_count()).find(|&n| numbers.edges_of(n, &first).iter().any(|(t, name, _)| t == "property" && name == "d")).unwrap();
    let d = numbers.edges_of(o, &first).into_iter().find(|(_, name, _)| name == "d").unwrap().2;
    assert_eq!(numbers.node_name(d), "heap number");
    let value = numbers.edges_of(d, &first);
    assert_eq!(value.len(), 1);
    assert_eq!((value[0].1.as_str(), numbers.node_name(value[0].2)), ("value", "1.5"));
}

#[test]
fn get_heap_snapshot_streams_chunks() {
    let dir = work_dir("stream");
    let out = ok(&shell(
        &dir,
        &[],
        "const v8 = require('v8');\n\
         let text = '', chunks = 0;\n\
         for (const c of v8.getHeapSnapshot()) { text += c; chunks++; }\n\
         const parsed = JSON.parse(text);\n\
         const s = v8.getHeapSnapshot();\n\
         const first = s.read();\n\
         const sink = { parts: [], ended: 0, write(c) { this.parts.push(c); return true; }, end() { this.ended++; } };\n\
         s.pipe(sink);\n\
         const whole = JSON.parse(first + sink.parts.join(''));\n\
         console.log(chunks > 1, parsed.snapshot.node_count > 1000, whole.snapshot.node_count > 1000, sink.ended, s.read(), String(s));\n\
         v8.getHeapSnapshot().pipe(sink, { end: false }); console.log(sink.ended);",
    ));
    assert_eq!(out, "true true true 1 null [object HeapSnapshotStream]\n1\n");
    // Piped to process.stdout, as in Node's example: the output is the snapshot.
    let out = ok(&shell(&dir, &[], "require('v8').getHeapSnapshot().pipe(process.stdout);"));
    std::fs::write(dir.join("piped.heapsnapshot"), out).unwrap();
    check_file(&dir.join("piped.heapsnapshot"));
}

#[test]
fn bad_arguments_throw_nodes_errors() {
    let dir = work_dir("errors");
    let out = ok(&shell(
        &dir,
        &[],
        "const v8 = require('v8');\n\
         const tries = [() => v8.writeHeapSnapshot('missing-dir/x.heapsnapshot'), () => v8.writeHeapSnapshot(1),\n\
           () => v8.writeHeapSnapshot(undefined, { exposeInternals: 1 }), () => v8.getHeapSnapshot(7),\n\
           () => v8.setHeapSnapshotNearHeapLimit(0), () => v8.setHeapSnapshotNearHeapLimit('1'), () => v8.setHeapSnapshotNearHeapLimit(1.5)];\n\
         for (const t of tries) { try { t(); console.log('no error'); } catch (e) { console.log(e.name, e.code); } }\n\
         try { v8.writeHeapSnapshot('missing-dir/x.heapsnapshot'); } catch (e) { console.log(e.message, e.syscall, e.errno < 0); }",
    ));
    assert_eq!(
        out,
        "Error ENOENT\nTypeError ERR_INVALID_ARG_TYPE\nTypeError ERR_INVALID_ARG_TYPE\nTypeError ERR_INVALID_ARG_TYPE\n\
         RangeError ERR_OUT_OF_RANGE\nTypeError ERR_INVALID_ARG_TYPE\nRangeError ERR_OUT_OF_RANGE\n\
         ENOENT: no such file or directory, open 'missing-dir/x.heapsnapshot' open true\n"
    );
}

/// A program that leaks 100 KB strings (few iterations even under GC stress).
const LEAK: &str = "class Leak { constructor(i) { this.s = 'x'.repeat(100000) + i; } }\n\
                    const leaks = []; for (let i = 0; ; i++) leaks.push(new Leak(i));";

fn assert_oom_with_one_snapshot(dir: &Path, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the shell exits non-zero after out-of-memory");
    assert!(stderr.contains("JavaScript heap out of memory"), "{stderr}");
    let files = diagnostic_files(dir);
    assert_eq!(files.len(), 1, "{files:?}\n{stderr}");
    assert_diagnostic_name(&files[0]);
    assert!(stderr.contains(&format!("Wrote snapshot to {}", files[0].display())), "{stderr}");
    let s = check_file(&files[0]);
    assert!(s.count("object", "Leak") > 100, "the leaking objects are in the snapshot");
}

#[test]
fn near_heap_limit_flag_writes_one_snapshot_then_oom() {
    let dir = work_dir("near_limit");
    let out = shell(&dir, &["--max-heap-size", "64", "--heapsnapshot-near-heap-limit=1"], LEAK);
    assert_oom_with_one_snapshot(&dir, &out);
}

#[test]
fn set_heap_snapshot_near_heap_limit_from_js() {
    let dir = work_dir("near_limit_js");
    let out = shell(&dir, &["--max-heap-size", "64"], &format!("require('v8').setHeapSnapshotNearHeapLimit(1);\n{LEAK}"));
    assert_oom_with_one_snapshot(&dir, &out);
}

#[test]
fn snapshot_on_oom_flag() {
    let dir = work_dir("on_oom");
    let out = shell(&dir, &["--max-heap-size", "64", "--heap-snapshot-on-oom"], LEAK);
    assert_oom_with_one_snapshot(&dir, &out);
}

#[test]
fn signal_writes_a_snapshot_at_the_next_safepoint() {
    for (name, wait) in [("signal_idle", "setTimeout(() => console.log('done'), 60000);"), ("signal_busy", "for (;;) {}")] {
        let dir = work_dir(name);
        let script = format!(
            "class Session {{ constructor(i) {{ this.id = i; }} }}\n\
             globalThis.sessions = Array.from({{ length: 500 }}, (_, i) => new Session(i));\n\
             console.log('ready');\n{wait}"
        );
        std::fs::write(dir.join("main.js"), script).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_sable"))
            .current_dir(&dir)
            .args(["--heapsnapshot-signal=SIGUSR2", "main.js"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line, "ready\n", "{name}: the script did not start");
        let kill = Command::new("kill").args(["-USR2", &child.id().to_string()]).status().unwrap();
        assert!(kill.success());
        // The file is complete once it ends with the strings section's "]}".
        let written = loop {
            let files = diagnostic_files(&dir);
            if let Some(f) = files.first()
                && std::fs::read(f).is_ok_and(|b| b.ends_with(b"]}"))
            {
                break f.clone();
            }
            if start.elapsed() > Duration::from_secs(120) {
                let _ = child.kill();
                panic!("{name}: no snapshot after the signal");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let _ = child.kill();
        let _ = child.wait();
        assert_diagnostic_name(&written);
        let s = check_file(&written);
        assert_eq!(s.count("object", "Session"), 500, "{name}");
    }
}

/// Waits until a snapshot file is complete (a forked child writes it).
fn wait_complete(path: &Path) {
    let start = Instant::now();
    while !std::fs::read(path).is_ok_and(|b| b.ends_with(b"]}")) {
        assert!(start.elapsed() < Duration::from_secs(120), "{} never completed", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn fork_mode_writes_the_heap_as_it_was_at_the_fork() {
    let dir = work_dir("fork");
    let n = scaled(1000).max(10);
    let out = ok(&shell(
        &dir,
        &[],
        &format!(
            "const v8 = require('v8');\n\
             class Session {{ constructor(i) {{ this.id = i; }} }}\n\
             let sessions = Array.from({{ length: {n} }}, (_, i) => new Session(i));\n\
             console.log(v8.writeHeapSnapshot('forked.heapsnapshot', {{ fork: true }}));\n\
             v8.writeHeapSnapshot('same.heapsnapshot');\n\
             sessions = sessions.slice(0, 1);\n\
             for (let i = 0; i < 1000; i++) sessions.push({{ other: i }});\n\
             v8.writeHeapSnapshot('after.heapsnapshot');"
        ),
    ));
    assert_eq!(out, "forked.heapsnapshot\n");
    wait_complete(&dir.join("forked.heapsnapshot"));
    let forked = check_file(&dir.join("forked.heapsnapshot"));
    let same = check_file(&dir.join("same.heapsnapshot"));
    let after = check_file(&dir.join("after.heapsnapshot"));
    // The child saw the heap of the fork, whatever the script did next.
    assert_eq!(forked.count("object", "Session"), n);
    assert_eq!(after.count("object", "Session"), 1);
    // Ids given before the fork are the ones later snapshots use.
    let mut a = forked.ids_of("object", "Session");
    let mut b = same.ids_of("object", "Session");
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(b.contains(&after.ids_of("object", "Session")[0]));
}

#[test]
fn fork_mode_for_signal_snapshots() {
    let dir = work_dir("fork_signal");
    std::fs::write(
        dir.join("main.js"),
        "class Session { constructor(i) { this.id = i; } }\n\
         globalThis.sessions = Array.from({ length: 300 }, (_, i) => new Session(i));\n\
         console.log('ready');\nsetTimeout(() => {}, 60000);",
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sable"))
        .current_dir(&dir)
        .args(["--heapsnapshot-signal=SIGUSR2", "--heapsnapshot-fork", "main.js"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    assert_eq!(line, "ready\n");
    assert!(Command::new("kill").args(["-USR2", &child.id().to_string()]).status().unwrap().success());
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut note = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut note).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    // "Wrote snapshot to <path> (in forked child <pid>; the isolate paused <ms> ms)"
    assert!(note.starts_with("Wrote snapshot to ") && note.contains("in forked child") && note.contains("the isolate paused"), "{note}");
    let files = diagnostic_files(&dir);
    assert_eq!(files.len(), 1);
    assert!(note.contains(&files[0].display().to_string()));
    assert_eq!(check_file(&files[0]).count("object", "Session"), 300);
}
