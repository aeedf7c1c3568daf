//! The examples of Node's `v8` documentation for the functions Sable has
//! (queryObjects, GCProfiler, setFlagsFromString('--trace_gc'),
//! writeHeapSnapshot, getHeapSnapshot) run in the
//! shell unchanged but for their `require` line, and print what node 20
//! printed (kept in tests/data/node_docs/*.node.txt) up to numbers.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/node_docs").join(name)
}

/// Runs a documentation example in the shell with its `require('node:v8')`
/// written `require('v8')` (the one change the acceptance allows; the shell
/// accepts both, so the change is cosmetic). Idle examples run without GC
/// stress, as they would in node.
fn run_example(name: &str) -> Output {
    run_example_in(name, &PathBuf::from(env!("CARGO_TARGET_TMPDIR")))
}

/// [`run_example`] with `dir` as the working directory (where snapshots land).
fn run_example_in(name: &str, dir: &std::path::Path) -> Output {
    let src = std::fs::read_to_string(data(&format!("{name}.js"))).unwrap().replace("require('node:v8')", "require('v8')");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("node_docs_{name}.js"));
    std::fs::write(&path, src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sable")).current_dir(dir).arg(&path).env_remove("SABLE_GC_STRESS").output().expect("run sable");
    assert!(out.status.success(), "{name}: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    out
}

/// Every run of digits becomes `N`.
fn up_to_numbers(s: &str) -> String {
    let mut out = String::new();
    let mut in_digits = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('N');
            }
            in_digits = true;
        } else {
            out.push(c);
            in_digits = false;
        }
    }
    out
}

#[test]
fn gc_profiler_example() {
    let out = run_example("gc_profiler");
    let expected = std::fs::read_to_string(data("gc_profiler.node.txt")).unwrap();
    assert_eq!(up_to_numbers(&String::from_utf8_lossy(&out.stdout)), up_to_numbers(&expected));
}

#[test]
fn query_objects_example() {
    let out = run_example("query_objects");
    let ours = String::from_utf8_lossy(&out.stdout).into_owned();
    let expected = std::fs::read_to_string(data("query_objects.node.txt")).unwrap();
    let (ours, theirs): (Vec<_>, Vec<_>) = (ours.lines().collect(), expected.lines().collect());
    assert_eq!(ours.len(), theirs.len(), "{ours:?}");
    // Every line is node's, except that the order of the last summary list
    // (three objects) is the heap's iteration order, which neither V8 nor
    // Sable specifies (node prints an order other than its own documentation's).
    assert_eq!(ours[..6], theirs[..6]);
    let items = |line: &str| {
        let inner = line.trim().trim_start_matches('[').trim_end_matches(']').trim().to_string();
        let mut parts: Vec<String> = inner.split(", ").map(str::to_string).collect();
        parts.sort();
        parts
    };
    assert_eq!(items(ours[6]), items(theirs[6]), "{} vs {}", ours[6], theirs[6]);
}

/// writeHeapSnapshot's example (its main-thread part, without
/// worker_threads) prints the default file name, which exists: node 20's
/// `Heap.<date>.<time>.<pid>.<thread>.<seq>.heapsnapshot`.
#[test]
fn write_heap_snapshot_example() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("node_docs_write_heap_snapshot");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = run_example_in("write_heap_snapshot", &dir);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let expected = std::fs::read_to_string(data("write_heap_snapshot.node.txt")).unwrap();
    assert_eq!(up_to_numbers(&text), up_to_numbers(&expected));
    let name = text.trim().strip_prefix("main thread heapdump: ").unwrap();
    let bytes = std::fs::read(dir.join(name)).expect("the snapshot file exists");
    assert!(bytes.starts_with(b"{\"snapshot\":{\"meta\":") && bytes.ends_with(b"]}"));
}

/// getHeapSnapshot's example pipes the snapshot to process.stdout.
#[test]
fn get_heap_snapshot_example() {
    let out = run_example("get_heap_snapshot");
    assert!(out.stdout.starts_with(b"{\"snapshot\":{\"meta\":") && out.stdout.ends_with(b"]}"));
    assert!(out.stdout.len() > 100_000);
}

/// The example prints GC events for a minute; an idle script collects
/// nothing in node either, so the output stays empty while its 60 s timer
/// keeps the event loop alive. (Checked for 3 s rather than the whole minute,
/// which cost every `cargo test` run a minute of wall time.)
#[test]
fn trace_gc_example() {
    let src = std::fs::read_to_string(data("trace_gc.js")).unwrap().replace("require('node:v8')", "require('v8')");
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("node_docs_trace_gc.js");
    std::fs::write(&path, src).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sable"))
        .arg(&path)
        .env_remove("SABLE_GC_STRESS")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run sable");
    std::thread::sleep(Duration::from_secs(3));
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(alive, "the 60 s timer should keep the loop alive: {:?}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// With allocation, `--trace_gc` prints one line per collection in V8's format.
#[test]
fn trace_gc_prints_one_line_per_collection() {
    let src = "const v8 = require('v8');
               v8.setFlagsFromString('--trace_gc');
               let keep = [];
               for (let i = 0; i < 400000; i++) keep.push({ i });
               keep = null;
               setTimeout(() => { v8.setFlagsFromString('--notrace_gc'); for (let i = 0; i < 400000; i++) ({ i }); }, 1);";
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("trace_gc_alloc.js");
    std::fs::write(&path, src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sable")).arg(&path).env_remove("SABLE_GC_STRESS").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(!lines.is_empty(), "no GC line printed");
    for l in &lines {
        // [pid:0xaddr]   123 ms: Mark-Compact 3.9 (5.5) -> 3.1 (5.5) MB, 1.23 / 0.00 ms  (average mu = 0.912, current mu = 0.870) allocation failure;
        let shape = up_to_numbers(l);
        assert!(shape.starts_with("[N:Nx"), "{l}");
        assert!(shape.contains(" ms: Mark-Compact N.N (N.N) -> N.N (N.N) MB, N.N / N.N ms  (average mu = N.N, current mu = N.N) "), "{l}");
    }
}
