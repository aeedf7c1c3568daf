//! Compiles every C program in `c-tests/` with the system C compiler against
//! the static library of the same profile (`target/<profile>/deps/libsable.a`,
//! which cargo builds from the crate's `staticlib` type for the test run),
//! runs it and checks its exit status. One `#[test]` per C file.
//!
//! Environment:
//! - `CC`: the C compiler (default `cc`).
//! - `SABLE_VALGRIND=1`: run each program under valgrind (leaks of kind
//!   "definite" and memory errors fail the test; see tests/valgrind.supp).
//! - `SABLE_SANITIZE=1`: compile the programs with AddressSanitizer and
//!   UndefinedBehaviorSanitizer (any report fails the test). Pair it with a
//!   library built with `-Zsanitizer=address` so the Rust side is checked too
//!   (the README's sanitizer command does); the variable is passed through,
//!   and the programs treat it like valgrind (no wall-clock bounds).
//! - `SABLE_C_TEST_LIB`: link this static library instead of the one of the
//!   test's own profile (CI links a nightly ASan build of the library this
//!   way, so the sanitizer run needs no second build of the test's
//!   dev-dependencies).
//! - `SABLE_GC_STRESS`: passed through to the programs.
//! - `SABLE_C_TEST_TIMEOUT`: seconds before a program is killed (default 300,
//!   1800 under valgrind or GC stress).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: the test binary lives in `target/<profile>/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent().and_then(Path::parent).expect("test binary outside target/<profile>/deps").to_path_buf()
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The static library built for this test run. Cargo compiles the crate
/// once with all its crate types for the integration tests, writing
/// `target/<profile>/deps/libsable.a` next to the rlib this test links
/// (it is uplifted to `target/<profile>/libsable.a` only by `cargo build`).
/// A warning is printed if the archive is older than that rlib.
fn static_lib() -> PathBuf {
    if let Some(lib) = std::env::var_os("SABLE_C_TEST_LIB") {
        let lib = PathBuf::from(lib);
        assert!(lib.is_file(), "SABLE_C_TEST_LIB={} is not a file", lib.display());
        return std::path::absolute(&lib).unwrap();
    }
    let dir = profile_dir();
    let candidates = [dir.join("deps/libsable.a"), dir.join("libsable.a")];
    let lib = candidates.iter().find(|p| p.is_file()).cloned().unwrap_or_else(|| {
        panic!(
            "no static library at {} or {}; cargo builds it from the crate's `staticlib` \
             crate-type (or run `cargo build --lib` with the same profile)",
            candidates[0].display(),
            candidates[1].display()
        )
    });
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let lib_time = modified(&lib).unwrap();
    let mut rlibs = vec![dir.join("deps/libsable.rlib")];
    if let Ok(entries) = std::fs::read_dir(dir.join("deps")) {
        rlibs.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("libsable-") && n.ends_with(".rlib")
        }));
    }
    for rlib in rlibs {
        if let Some(t) = modified(&rlib) {
            // Cargo writes both from one rustc run; a newer rlib means another
            // cargo command rebuilt the crate meanwhile (e.g. concurrently).
            if t > lib_time + Duration::from_secs(5) {
                eprintln!(
                    "warning: {} is older than {}; if the C tests fail oddly, run `cargo build --lib` \
                     for this profile",
                    lib.display(),
                    rlib.display()
                );
            }
        }
    }
    lib
}

/// Compiles `c-tests/<name>.c` and returns the executable.
fn compile(name: &str) -> PathBuf {
    let profile = profile_dir();
    let mut profile_name = profile.file_name().unwrap().to_string_lossy().into_owned();
    if env_flag("SABLE_SANITIZE") {
        profile_name.push_str("-asan");
    }
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("c-tests").join(profile_name);
    std::fs::create_dir_all(&out_dir).unwrap();
    let exe = out_dir.join(name);
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let src = root().join("c-tests").join(format!("{name}.c"));
    let sanitize: &[&str] =
        if env_flag("SABLE_SANITIZE") { &["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"] } else { &[] };
    let out = Command::new(&cc)
        .args(["-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"])
        .args(sanitize)
        .arg("-I")
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("c-tests"))
        .arg(&src)
        .arg(static_lib())
        .args(["-lpthread", "-ldl", "-lm", "-o"])
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    assert!(out.status.success(), "compiling {} failed:\n{}{}", src.display(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    exe
}

/// Runs the compiled program (under valgrind if asked) with a timeout.
fn run(name: &str, exe: &Path) {
    let valgrind = env_flag("SABLE_VALGRIND");
    let gc_stress = std::env::var("SABLE_GC_STRESS").ok();
    let sanitize = env_flag("SABLE_SANITIZE");
    let timeout_secs: u64 =
        std::env::var("SABLE_C_TEST_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(if valgrind || sanitize || gc_stress.is_some() { 1800 } else { 300 });
    let mut cmd = if valgrind {
        let mut c = Command::new("valgrind");
        c.args(["--error-exitcode=1", "--leak-check=full", "--errors-for-leak-kinds=definite"])
            .arg(format!("--suppressions={}", root().join("tests/valgrind.supp").display()))
            .arg(exe);
        c
    } else {
        Command::new(exe)
    };
    if let Some(v) = &gc_stress {
        cmd.env("SABLE_GC_STRESS", v);
    }
    if sanitize {
        // Any report ends the program with a failing status. Fake stacks for
        // use-after-return stay off: the collector scans the real stack.
        cmd.env("ASAN_OPTIONS", "abort_on_error=0:halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1")
            .env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
    }
    // Output goes to files: no pipe can fill up while we wait.
    let log_dir = exe.parent().unwrap();
    let out_path = log_dir.join(format!("{name}.stdout"));
    let err_path = log_dir.join(format!("{name}.stderr"));
    cmd.current_dir(root()).stdin(Stdio::null()).stdout(std::fs::File::create(&out_path).unwrap()).stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {} ({e}){}", exe.display(), if valgrind { "; is valgrind installed?" } else { "" }));
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > Duration::from_secs(timeout_secs) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&out_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let mode = match (valgrind, sanitize, &gc_stress) {
        (true, _, _) => " under valgrind",
        (false, true, _) => " under ASan+UBSan",
        (false, false, Some(_)) => " with SABLE_GC_STRESS",
        _ => "",
    };
    match status {
        Some(s) if s.success() => print!("{stdout}"),
        Some(s) => {
            panic!("{name}{mode} failed ({s})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}")
        }
        None => panic!("{name}{mode} timed out after {timeout_secs}s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"),
    }
}

fn c_test(name: &str) {
    let exe = compile(name);
    run(name, &exe);
}

#[test]
fn test_isolate() {
    c_test("test_isolate");
}

#[test]
fn test_values() {
    c_test("test_values");
}

#[test]
fn test_objects() {
    c_test("test_objects");
}

#[test]
fn test_functions() {
    c_test("test_functions");
}

#[test]
fn test_exceptions() {
    c_test("test_exceptions");
}

#[test]
fn test_globals() {
    c_test("test_globals");
}

#[test]
fn test_limits() {
    c_test("test_limits");
}

#[test]
fn test_allocator() {
    c_test("test_allocator");
}

#[test]
fn test_buffers() {
    c_test("test_buffers");
}

#[test]
fn test_bad_input() {
    c_test("test_bad_input");
}

#[test]
fn test_introspection() {
    c_test("test_introspection");
}

#[test]
fn test_heap_snapshot() {
    c_test("test_heap_snapshot");
    // The snapshots the C host wrote pass the structural check; the one of
    // 10,000 Leak objects (100 under GC stress) counts them all.
    let leaks = if std::env::var("SABLE_GC_STRESS").is_ok_and(|v| v == "1") { 100 } else { 10_000 };
    for name in ["c_host", "c_host_file", "c_near_limit", "c_oom", "c_forked"] {
        let s = common::snapshot_check::check_file(&root().join(format!("target/tmp/{name}.heapsnapshot")));
        if name == "c_host" {
            assert_eq!(s.count("object", "Leak"), leaks, "Leak objects in {name}");
        }
        if name == "c_forked" {
            assert_eq!(s.count("object", "Session"), 300, "the forked child saw the heap of the fork");
        }
        if name == "c_near_limit" || name == "c_oom" {
            assert!(s.count("object", "Leak") > 50, "{name}: the leaking objects are in the snapshot");
        }
    }
}

#[test]
fn test_small_stack() {
    c_test("test_small_stack");
}

#[test]
fn test_nesting() {
    c_test("test_nesting");
}

#[test]
fn test_termination() {
    c_test("test_termination");
}

#[test]
fn test_oom() {
    c_test("test_oom");
}

/// Every C file has its #[test] above (a new file must be added there).
#[test]
fn every_c_test_is_registered() {
    let this = std::fs::read_to_string(root().join("tests/c_api.rs")).unwrap();
    for e in std::fs::read_dir(root().join("c-tests")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "c") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(this.contains(&format!("c_test(\"{stem}\")")), "c-tests/{stem}.c has no #[test] in tests/c_api.rs");
        }
    }
}
