//! The test262 conformance ratchet: runs the whole suite with `sable-test262
//! --check` and fails when a test that is not in tests/test262/expectations.txt
//! fails, or when a listed test passes. A second test runs a sample through
//! the `sable --test262` shell, which must agree with the same expectations
//! (CI runs the whole suite that way too).
//!
//! The suite is `SABLE_TEST262_DIR`, default `../shared/test262`. When it is
//! absent, or `SABLE_SKIP_TEST262_RATCHET=1` is set, the tests cannot check
//! anything: they then write "test262 ... NOT RUN" with the reason straight to
//! the terminal (past the test harness's output capture, so it shows even
//! though the test is reported as passing). `SABLE_REQUIRE_TEST262=1` turns a
//! missing suite into a failure.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;

/// Writes a line to the process's stderr directly: libtest captures only
/// `print!`/`eprint!`, so this is visible in a normal `cargo test` run.
fn announce(test: &str, why: &str) {
    let _ = writeln!(std::io::stderr(), "\n*** {test}: test262 NOT RUN: {why} ***");
}

fn env_is_1(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// The suite directory, or Err with the reason it is not usable.
fn suite_dir() -> Result<PathBuf, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let suite = std::env::var("SABLE_TEST262_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("../shared/test262"));
    if suite.join("harness/assert.js").is_file() {
        Ok(suite)
    } else {
        Err(format!("suite not found at {} (no harness/assert.js); set SABLE_TEST262_DIR to a test262 checkout", suite.display()))
    }
}

/// Runs `sable-test262 --check --timeout 30` with extra arguments and asserts
/// that it passes. With `follow_gc_stress`, SABLE_GC_STRESS=1 in the
/// environment runs the tests under GC stress too; otherwise it is removed.
fn check(test: &str, extra: &[&str], follow_gc_stress: bool) {
    let suite = match suite_dir() {
        Ok(s) => s,
        Err(why) => {
            assert!(!env_is_1("SABLE_REQUIRE_TEST262"), "SABLE_REQUIRE_TEST262=1 but {why}");
            announce(test, &why);
            return;
        }
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sable-test262"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).arg("--suite").arg(&suite).arg("--check").arg("--timeout").arg("30").args(extra);
    if !follow_gc_stress {
        cmd.env_remove("SABLE_GC_STRESS");
    } else if env_is_1("SABLE_GC_STRESS") {
        cmd.arg("--gc-stress");
    }
    let out = cmd.output().expect("run sable-test262");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let tail: Vec<&str> = stdout.lines().rev().take(60).collect();
    for l in tail.iter().rev() {
        println!("{l}");
    }
    assert!(
        out.status.success(),
        "test262 results differ from tests/test262/expectations.txt (see NEW FAILURE / NOW PASSING lines above)\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The totals line, so that a passing run still shows what it measured.
    if let Some(total) = stdout.lines().find(|l| l.starts_with("total: ")) {
        let _ = writeln!(std::io::stderr(), "{test}: {total}");
    }
}

#[test]
fn test262_matches_expectations() {
    if env_is_1("SABLE_SKIP_TEST262_RATCHET") {
        announce("test262_matches_expectations", "SABLE_SKIP_TEST262_RATCHET=1");
        return;
    }
    check("test262_matches_expectations", &[], true);
}

/// The shell way (`sable --test262 harness... test`, judged from exit status,
/// stderr and stdout) must give the same outcome as the in-process runner. A
/// sample with negative parse/runtime tests, async tests, strict-only,
/// sloppy-only, raw and module tests; CI runs the whole suite this way. It
/// checks the host interface, so it does not follow SABLE_GC_STRESS (slow
/// tests such as S7.4_A6 would only measure the machine).
#[test]
fn test262_shell_agrees_with_runner_on_a_sample() {
    check(
        "test262_shell_agrees_with_runner_on_a_sample",
        &[
            "--via-shell",
            env!("CARGO_BIN_EXE_sable"),
            "test/language/expressions/typeof",
            "test/language/statements/try",
            "test/language/directive-prologue",
            "test/language/literals/regexp",
            "test/language/module-code/instn-iee-err-circular.js",
            "test/built-ins/Promise/all",
            "test/built-ins/JSON/parse",
            "test/language/comments",
            "test/language/line-terminators",
            "test/language/statements/switch",
        ],
        false,
    );
}
