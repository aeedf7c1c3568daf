//! `sable-test262`: runs the test262 suite following INTERPRETING.md, one fresh
//! isolate per test, on all cores, with a per-test timeout (terminate_execution)
//! and heap limit. Tests run in-process inside worker processes that the
//! supervisor feeds one test at a time, so a crash or a native hang costs only
//! that test. Summaries per directory and feature, a JSON report, and the
//! expectations ratchet (`tests/test262/expectations.txt`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sable::api::{ContextId, Isolate, IsolateParams, Status, TerminateHandle, ValueType};
use sable::host::{describe_exception, install_262, install_globals, start_print_capture, take_print_capture};

// ----- options -----

struct Options {
    suite: PathBuf,
    prefixes: Vec<String>,
    features: Vec<String>,
    json: Option<PathBuf>,
    gc_stress: bool,
    update: bool,
    check: bool,
    jobs: usize,
    timeout: Duration,
    heap_limit_mb: usize,
    expectations: PathBuf,
    skip_features: PathBuf,
    verbose: bool,
    /// Run each test through this `sable` shell binary (`sable --test262 FILE...`)
    /// instead of in-process, judging it from exit status and output as an
    /// external harness would.
    via_shell: Option<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: sable-test262 [--suite DIR] [PATH_PREFIX...] [--feature F] [--json FILE] [--gc-stress]\n\
         \x20                    [--check] [--update-expectations] [--jobs N] [--timeout SECS] [--heap-limit MB] [-v]\n\
         \x20                    [--via-shell SABLE_BINARY]\n\
         PATH_PREFIX is relative to the suite, e.g. test/language/expressions (default: test/language, test/built-ins, test/annexB)\n\
         --via-shell runs every test as `SABLE_BINARY --test262 harness... test` in its own process instead of in-process"
    );
    std::process::exit(2)
}

fn parse_options(args: &[String]) -> Options {
    let default_suite = std::env::var("SABLE_TEST262_DIR").unwrap_or_else(|_| "../shared/test262".into());
    let mut o = Options {
        suite: PathBuf::from(default_suite),
        prefixes: Vec::new(),
        features: Vec::new(),
        json: None,
        gc_stress: false,
        update: false,
        check: false,
        jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        timeout: Duration::from_secs(10),
        heap_limit_mb: 512,
        expectations: PathBuf::from("tests/test262/expectations.txt"),
        skip_features: PathBuf::from("tests/test262/skip-features.txt"),
        verbose: false,
        via_shell: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut next = || it.next().cloned().unwrap_or_else(|| usage());
        match a.as_str() {
            "--suite" => o.suite = PathBuf::from(next()),
            "--feature" => o.features.push(next()),
            "--json" => o.json = Some(PathBuf::from(next())),
            "--gc-stress" => o.gc_stress = true,
            "--update-expectations" => o.update = true,
            "--check" => o.check = true,
            "--jobs" => o.jobs = next().parse().unwrap_or_else(|_| usage()),
            "--timeout" => o.timeout = Duration::from_secs(next().parse().unwrap_or_else(|_| usage())),
            "--heap-limit" => o.heap_limit_mb = next().parse().unwrap_or_else(|_| usage()),
            "--expectations" => o.expectations = PathBuf::from(next()),
            "--skip-features" => o.skip_features = PathBuf::from(next()),
            "-v" | "--verbose" => o.verbose = true,
            "--via-shell" => o.via_shell = Some(PathBuf::from(next())),
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => usage(),
            s => o.prefixes.push(s.trim_end_matches('/').to_string()),
        }
    }
    o
}

// ----- test metadata -----

#[derive(Default, Clone)]
struct Meta {
    includes: Vec<String>,
    flags: Vec<String>,
    features: Vec<String>,
    negative_phase: Option<String>,
    negative_type: Option<String>,
}

impl Meta {
    fn has_flag(&self, f: &str) -> bool {
        self.flags.iter().any(|x| x == f)
    }
}

fn parse_list(value: &str) -> Vec<String> {
    let v = value.trim();
    if let Some(inner) = v.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        return inner.split(',').map(|s| s.trim().trim_matches('"').trim_matches('\'').to_string()).filter(|s| !s.is_empty()).collect();
    }
    if v.is_empty() { Vec::new() } else { vec![v.to_string()] }
}

/// Parses the YAML frontmatter between `/*---` and `---*/` (the subset test262 uses).
fn parse_meta(source: &str) -> Meta {
    let mut meta = Meta::default();
    let Some(start) = source.find("/*---") else { return meta };
    let Some(len) = source[start..].find("---*/") else { return meta };
    let yaml = &source[start + 5..start + len];
    let mut current: Option<String> = None;
    let mut in_negative = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indented = line.starts_with(' ') || line.starts_with('\t');
        if let Some(item) = trimmed.strip_prefix("- ") {
            let item = item.trim().to_string();
            match current.as_deref() {
                Some("includes") => meta.includes.push(item),
                Some("flags") => meta.flags.push(item),
                Some("features") => meta.features.push(item),
                _ => {}
            }
            continue;
        }
        if indented && in_negative {
            if let Some(v) = trimmed.strip_prefix("phase:") {
                meta.negative_phase = Some(v.trim().to_string());
            } else if let Some(v) = trimmed.strip_prefix("type:") {
                meta.negative_type = Some(v.trim().to_string());
            }
            continue;
        }
        if indented {
            continue;
        }
        in_negative = false;
        let Some((key, value)) = trimmed.split_once(':') else { continue };
        current = Some(key.trim().to_string());
        match key.trim() {
            "includes" => meta.includes.extend(parse_list(value)),
            "flags" => meta.flags.extend(parse_list(value)),
            "features" => meta.features.extend(parse_list(value)),
            "negative" => in_negative = true,
            _ => {}
        }
    }
    meta
}

// ----- running one test (worker side) -----

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Mode {
    Sloppy,
    Strict,
    Module,
    Raw,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Sloppy => "sloppy",
            Mode::Strict => "strict",
            Mode::Module => "module",
            Mode::Raw => "raw",
        }
    }
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "sloppy" => Mode::Sloppy,
            "strict" => Mode::Strict,
            "module" => Mode::Module,
            "raw" => Mode::Raw,
            _ => return None,
        })
    }
}

fn modes_for(meta: &Meta) -> Vec<Mode> {
    if meta.has_flag("raw") {
        vec![Mode::Raw]
    } else if meta.has_flag("module") {
        vec![Mode::Module]
    } else if meta.has_flag("onlyStrict") {
        vec![Mode::Strict]
    } else if meta.has_flag("noStrict") {
        vec![Mode::Sloppy]
    } else {
        vec![Mode::Sloppy, Mode::Strict]
    }
}

/// The harness files a test runs after (INTERPRETING.md): assert.js and sta.js,
/// doneprintHandle.js for async tests, then the test's `includes`; none for raw tests.
fn harness_prelude(meta: &Meta, mode: Mode) -> Vec<String> {
    let mut prelude = Vec::new();
    if mode != Mode::Raw {
        prelude.push("assert.js".to_string());
        prelude.push("sta.js".to_string());
        if meta.has_flag("async") {
            prelude.push("doneprintHandle.js".to_string());
        }
        prelude.extend(meta.includes.iter().cloned());
    }
    prelude
}

/// Watchdog state shared with the timer thread: the running isolate's handle and deadline.
type Watch = Arc<Mutex<Option<(Instant, TerminateHandle)>>>;

struct Worker {
    suite: PathBuf,
    harness: HashMap<String, String>,
    heap_limit: usize,
    watch: Watch,
    timeout: Duration,
    via_shell: Option<PathBuf>,
}

/// The constructor name of a thrown value (`e.constructor.name`), if any.
fn error_name(iso: &mut Isolate, c: ContextId, e: sable::api::Local) -> Option<String> {
    if !matches!(iso.type_of(e), Some(ValueType::Object) | Some(ValueType::Function)) {
        return None;
    }
    let ctor = iso.get_named(c, e, "constructor").ok()?;
    if iso.type_of(ctor) != Some(ValueType::Function) {
        return None;
    }
    let n = iso.get_named(c, ctor, "name").ok()?;
    iso.string_to_utf8(n)
}

impl Worker {
    fn harness_file(&mut self, name: &str) -> Result<String, String> {
        if let Some(s) = self.harness.get(name) {
            return Ok(s.clone());
        }
        let p = self.suite.join("harness").join(name);
        let s = std::fs::read_to_string(&p).map_err(|e| format!("cannot read harness {}: {e}", p.display()))?;
        self.harness.insert(name.to_string(), s.clone());
        Ok(s)
    }

    /// Runs one test in one mode; Ok(()) = pass, Err(message) = fail.
    fn run(&mut self, rel: &str, mode: Mode) -> Result<(), String> {
        let path = self.suite.join(rel);
        let source = std::fs::read_to_string(&path).map_err(|e| format!("cannot read test: {e}"))?;
        let meta = parse_meta(&source);
        let prelude = harness_prelude(&meta, mode);
        if let Some(shell) = self.via_shell.clone() {
            return self.run_via_shell(&shell, &path, source, &meta, mode, &prelude);
        }
        if mode == Mode::Module {
            return Err("modules are not supported yet".into());
        }
        let mut harness_sources = Vec::new();
        for h in &prelude {
            harness_sources.push((h.clone(), self.harness_file(h)?));
        }
        let text = if mode == Mode::Strict { format!("\"use strict\";\n{source}") } else { source };

        let params = IsolateParams { heap_limit_bytes: self.heap_limit, ..Default::default() };
        let mut iso = Isolate::new(&params).map_err(|s| format!("isolate: {s:?}"))?;
        let c = iso.context_new().map_err(|s| format!("context: {s:?}"))?;
        install_globals(&mut iso, c, false).map_err(|s| format!("host setup: {s:?}"))?;
        install_262(&mut iso, c).map_err(|s| format!("host setup: {s:?}"))?;
        // [[CanBlock]] is the host's choice; tests flagged CanBlockIsFalse
        // run in an agent that may not block (as a browser's main thread).
        iso.set_allow_atomics_wait(!meta.has_flag("CanBlockIsFalse"));
        *self.watch.lock().unwrap() = Some((Instant::now() + self.timeout, iso.terminate_handle()));
        start_print_capture();
        let result = self.run_in(&mut iso, c, rel, &text, &meta, &harness_sources);
        let printed = take_print_capture();
        *self.watch.lock().unwrap() = None;
        result?;
        if meta.has_flag("async") {
            if printed.iter().any(|l| l == "Test262:AsyncTestComplete") {
                return Ok(());
            }
            if let Some(f) = printed.iter().find(|l| l.starts_with("Test262:AsyncTestFailure:")) {
                return Err(f.clone());
            }
            return Err("async test did not report completion".into());
        }
        Ok(())
    }

    /// Runs one test as a separate `sable --test262 harness... test` process and
    /// judges it only from what an external harness sees: the exit status,
    /// `Uncaught <ErrorName>` on stderr, and `print` output on stdout.
    fn run_via_shell(&mut self, shell: &Path, path: &Path, source: String, meta: &Meta, mode: Mode, prelude: &[String]) -> Result<(), String> {
        let mut cmd = Command::new(shell);
        cmd.arg("--test262").arg("--max-heap-size").arg((self.heap_limit >> 20).to_string());
        if meta.has_flag("CanBlockIsFalse") {
            cmd.arg("--no-atomics-wait");
        }
        for h in prelude {
            cmd.arg(self.suite.join("harness").join(h));
        }
        // A strict run gets the test with a "use strict" directive prepended, in a
        // scratch file (as test262 harnesses do); the other modes use the file itself.
        let strict_copy = std::env::temp_dir().join(format!("sable-test262-{}-strict.js", std::process::id()));
        match mode {
            Mode::Strict => {
                std::fs::write(&strict_copy, format!("\"use strict\";\n{source}")).map_err(|e| format!("cannot write {}: {e}", strict_copy.display()))?;
                cmd.arg(&strict_copy);
            }
            Mode::Module => {
                cmd.arg("--module").arg(path);
            }
            Mode::Sloppy | Mode::Raw => {
                cmd.arg(path);
            }
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = cmd.spawn().map_err(|e| format!("cannot start {}: {e}", shell.display()))?;
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        let output = match rx.recv_timeout(self.timeout) {
            Ok(r) => r.map_err(|e| format!("shell: {e}"))?,
            Err(_) => {
                // SAFETY: kill(2) on the pid of our own child, which has not been
                // reaped yet (the waiting thread still holds it), so the pid is valid.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
                let _ = rx.recv();
                return Err("timeout: shell process killed".into());
            }
        };
        if mode == Mode::Strict {
            let _ = std::fs::remove_file(&strict_copy);
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first_err = stderr.lines().next().unwrap_or("").to_string();
        let code = output.status.code();
        if let (Some(_), Some(ty)) = (&meta.negative_phase, &meta.negative_type) {
            let thrown = first_err.strip_prefix("Uncaught ").unwrap_or("");
            let name = thrown.split(':').next().unwrap_or("");
            if code == Some(1) && name == ty {
                return Ok(());
            }
            return Err(match code {
                Some(0) => format!("expected {ty}, but the shell exited with status 0"),
                Some(c) => format!("expected {ty}, got status {c}: {first_err}"),
                None => format!("expected {ty}, but the shell was killed by a signal"),
            });
        }
        match code {
            Some(0) => {}
            Some(c) => return Err(if first_err.is_empty() { format!("shell exited with status {c}") } else { first_err }),
            None => return Err("crash: shell killed by a signal".into()),
        }
        if meta.has_flag("async") {
            if stdout.lines().any(|l| l == "Test262:AsyncTestComplete") {
                return Ok(());
            }
            if let Some(f) = stdout.lines().find(|l| l.starts_with("Test262:AsyncTestFailure:")) {
                return Err(f.to_string());
            }
            return Err("async test did not report completion".into());
        }
        Ok(())
    }

    fn run_in(&mut self, iso: &mut Isolate, c: ContextId, rel: &str, text: &str, meta: &Meta, harness: &[(String, String)]) -> Result<(), String> {
        let status_msg = |s: Status| match s {
            Status::Terminated => "timeout: execution terminated".to_string(),
            Status::OutOfMemory => "out of memory (heap limit)".to_string(),
            other => format!("status {other:?}"),
        };
        for (name, src) in harness {
            match iso.eval(c, src, Some(name)) {
                Ok(_) => {}
                Err(Status::Exception) => {
                    let (h, _) = describe_exception(iso, c).unwrap_or_default();
                    return Err(format!("harness {name}: {h}"));
                }
                Err(s) => return Err(format!("harness {name}: {}", status_msg(s))),
            }
        }
        let expect_phase = meta.negative_phase.as_deref();
        let expect_type = meta.negative_type.as_deref();
        let script = match iso.compile(c, text, Some(rel)) {
            Ok(s) => s,
            Err(Status::Exception) => {
                let e = iso.take_exception().unwrap();
                let name = error_name(iso, c, e).unwrap_or_default();
                let msg = iso.to_string(c, e).ok().and_then(|s| iso.string_to_utf8(s)).unwrap_or_default();
                if expect_phase == Some("parse") || expect_phase == Some("resolution") {
                    if Some(name.as_str()) == expect_type {
                        return Ok(());
                    }
                    return Err(format!("expected {} at parse, got {msg}", expect_type.unwrap_or("?")));
                }
                return Err(format!("parse error: {msg}"));
            }
            Err(s) => return Err(status_msg(s)),
        };
        if expect_phase == Some("parse") || expect_phase == Some("resolution") {
            return Err(format!("expected {} at parse, but the script compiled", expect_type.unwrap_or("?")));
        }
        let outcome = iso.run_compiled(c, script);
        let outcome = match outcome {
            Ok(_) => iso.run_microtasks().map(|_| ()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                if expect_phase == Some("runtime") {
                    return Err(format!("expected {} at runtime, but no exception was thrown", expect_type.unwrap_or("?")));
                }
                Ok(())
            }
            Err(Status::Exception) => {
                let e = iso.take_exception().unwrap();
                let name = error_name(iso, c, e).unwrap_or_default();
                let msg = match iso.to_string(c, e) {
                    Ok(s) => iso.string_to_utf8(s).unwrap_or_default(),
                    Err(_) => {
                        iso.take_exception();
                        format!("{name} (unprintable)")
                    }
                };
                if expect_phase == Some("runtime") && Some(name.as_str()) == expect_type {
                    return Ok(());
                }
                Err(msg)
            }
            Err(s) => Err(status_msg(s)),
        }
    }
}

fn sanitize(s: &str) -> String {
    let one_line: String = s.chars().map(|c| if c == '\n' || c == '\r' || c == '\t' { ' ' } else { c }).collect();
    one_line.chars().take(300).collect()
}

/// Worker process: reads "path\tmode" lines, answers "pass" or "fail\tmessage" lines.
fn worker_main(opts: &Options) -> ExitCode {
    let watch: Watch = Arc::new(Mutex::new(None));
    let w2 = watch.clone();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(20));
            if let Some((deadline, h)) = w2.lock().unwrap().as_ref()
                && Instant::now() > *deadline
            {
                h.terminate();
            }
        }
    });
    let mut worker = Worker {
        suite: opts.suite.clone(),
        harness: HashMap::new(),
        heap_limit: opts.heap_limit_mb << 20,
        watch,
        timeout: opts.timeout,
        via_shell: opts.via_shell.clone(),
    };
    let stdin = std::io::stdin();
    let mut out = std::io::stdout();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Some((rel, mode)) = line.split_once('\t') else { continue };
        let Some(mode) = Mode::parse(mode) else { continue };
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run(rel, mode)));
        let reply = match r {
            Ok(Ok(())) => "pass".to_string(),
            Ok(Err(m)) => format!("fail\t{}", sanitize(&m)),
            Err(p) => {
                let m = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                format!("fail\tcrash: panic: {}", sanitize(&m))
            }
        };
        if writeln!(out, "{reply}").and_then(|_| out.flush()).is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}

// ----- supervisor -----

#[derive(Clone)]
struct Job {
    rel: String,
    mode: Mode,
}

#[derive(Clone)]
struct Outcome {
    rel: String,
    mode: Option<Mode>,
    pass: bool,
    skipped: bool,
    message: String,
}

struct WorkerProc {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

fn spawn_worker(opts: &Options) -> std::io::Result<WorkerProc> {
    let exe = std::env::current_exe()?;
    let mut cmd = Command::new(exe);
    cmd.arg("--worker")
        .arg("--suite")
        .arg(&opts.suite)
        .arg("--timeout")
        .arg(opts.timeout.as_secs().to_string())
        .arg("--heap-limit")
        .arg(opts.heap_limit_mb.to_string())
        .args(opts.via_shell.iter().flat_map(|p| [std::ffi::OsStr::new("--via-shell"), p.as_os_str()]))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if opts.gc_stress {
        cmd.env("SABLE_GC_STRESS", "1");
    }
    let mut child = cmd.spawn()?;
    let stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    });
    Ok(WorkerProc { child, stdin, lines: rx })
}

fn collect_tests(opts: &Options) -> Vec<String> {
    let roots: Vec<String> =
        if opts.prefixes.is_empty() { vec!["test/language".into(), "test/built-ins".into(), "test/annexB".into()] } else { opts.prefixes.clone() };
    let mut out = Vec::new();
    for r in roots {
        let p = opts.suite.join(&r);
        if p.is_file() {
            out.push(r);
            continue;
        }
        let mut stack = vec![p];
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(&dir) else { continue };
            for e in rd.flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "js")
                    && !path.to_string_lossy().contains("_FIXTURE")
                    && let Ok(rel) = path.strip_prefix(&opts.suite)
                {
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Reads `feature  # reason` lines.
fn read_skip_features(path: &Path) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (f, reason) = line.split_once('#').unwrap_or((line, ""));
            m.insert(f.trim().to_string(), reason.trim().to_string());
        }
    }
    m
}

/// The kind of a failure, judged from its message. The expectations record
/// it, and the ratchet fails when an expected failure turns into a crash, a
/// panic or a timeout: a test that failed cleanly must not start taking the
/// worker down, whatever its message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FailKind {
    /// A wrong result or an unexpected exception.
    Error,
    /// A feature Sable does not implement yet (its own error, never a SyntaxError).
    Unsupported,
    /// The test's heap limit was reached.
    OutOfMemory,
    /// Terminated at the per-test timeout, or the worker hung.
    Timeout,
    /// A Rust panic or an internal error.
    Panic,
    /// The worker process died.
    Crash,
}

impl FailKind {
    fn of(message: &str) -> FailKind {
        if message.starts_with("crash: panic") || message.contains("status InternalError") {
            FailKind::Panic
        } else if message.starts_with("crash") {
            FailKind::Crash
        } else if message.contains("timeout: ") {
            FailKind::Timeout
        } else if message.contains("out of memory (heap limit)") {
            FailKind::OutOfMemory
        } else if message.contains(" not supported yet") {
            FailKind::Unsupported
        } else {
            FailKind::Error
        }
    }
    fn name(self) -> &'static str {
        match self {
            FailKind::Error => "error",
            FailKind::Unsupported => "unsupported",
            FailKind::OutOfMemory => "oom",
            FailKind::Timeout => "timeout",
            FailKind::Panic => "panic",
            FailKind::Crash => "crash",
        }
    }
    fn parse(s: &str) -> Option<FailKind> {
        [FailKind::Error, FailKind::Unsupported, FailKind::OutOfMemory, FailKind::Timeout, FailKind::Panic, FailKind::Crash].into_iter().find(|k| k.name() == s)
    }
    /// Failures that take down or hang the runner rather than fail a test.
    /// Under GC stress (a collection at every safepoint, tens of times
    /// slower) a timeout of a test that fails anyway says nothing about a
    /// hang, so there only panics and crashes count; the normal run, which
    /// `cargo test` makes, still holds every test to its timeout.
    fn is_severe(self, gc_stress: bool) -> bool {
        match self {
            FailKind::Timeout => !gc_stress,
            FailKind::Panic | FailKind::Crash => true,
            _ => false,
        }
    }
}

/// Reads `path mode kind | message` lines into (path, mode) keys. A line
/// without a kind (the older format) is taken as kind "error".
fn read_expectations(path: &Path) -> BTreeMap<(String, String), (FailKind, String)> {
    let mut m = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(path) {
        for line in text.lines() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let (left, msg) = line.split_once(" | ").unwrap_or((line, ""));
            let mut parts = left.split_whitespace();
            if let (Some(p), Some(mode)) = (parts.next(), parts.next()) {
                let kind = parts.next().and_then(FailKind::parse).unwrap_or(FailKind::Error);
                m.insert((p.to_string(), mode.to_string()), (kind, msg.to_string()));
            }
        }
    }
    m
}

fn json_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

#[derive(Default, Clone, Copy)]
struct Tally {
    pass: usize,
    fail: usize,
    skip: usize,
}

impl Tally {
    fn add(&mut self, o: &Outcome) {
        if o.skipped {
            self.skip += 1;
        } else if o.pass {
            self.pass += 1;
        } else {
            self.fail += 1;
        }
    }
    /// Passed runs over the runs made (skips left out).
    fn rate(&self) -> f64 {
        let run = self.pass + self.fail;
        if run == 0 { 0.0 } else { 100.0 * self.pass as f64 / run as f64 }
    }
    /// All runs, made or skipped.
    fn all(&self) -> usize {
        self.pass + self.fail + self.skip
    }
    /// Passed runs over all runs (a skip counts as not passed).
    fn rate_all(&self) -> f64 {
        if self.all() == 0 { 0.0 } else { 100.0 * self.pass as f64 / self.all() as f64 }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let worker_mode = args.iter().any(|a| a == "--worker");
    let args: Vec<String> = args.into_iter().filter(|a| a != "--worker").collect();
    let opts = parse_options(&args);
    if worker_mode {
        return worker_main(&opts);
    }
    if !opts.suite.join("harness/assert.js").is_file() {
        eprintln!("sable-test262: no test262 suite at {} (set SABLE_TEST262_DIR or --suite)", opts.suite.display());
        return ExitCode::from(2);
    }
    let started = Instant::now();
    let skip = read_skip_features(&opts.skip_features);
    let tests = collect_tests(&opts);
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut metas: HashMap<String, Meta> = HashMap::new();
    let mut jobs: Vec<Job> = Vec::new();
    for rel in &tests {
        let Ok(src) = std::fs::read_to_string(opts.suite.join(rel)) else { continue };
        let meta = parse_meta(&src);
        if !opts.features.is_empty() && !meta.features.iter().any(|f| opts.features.contains(f)) {
            continue;
        }
        if let Some(f) = meta.features.iter().find(|f| skip.contains_key(*f)) {
            // A skipped file counts as the runs it would have made (two for a
            // test run sloppy and strict), so that every figure counts runs.
            for m in modes_for(&meta) {
                outcomes.push(Outcome { rel: rel.clone(), mode: Some(m), pass: false, skipped: true, message: format!("feature {f}: {}", skip[f]) });
            }
        } else {
            for m in modes_for(&meta) {
                jobs.push(Job { rel: rel.clone(), mode: m });
            }
        }
        metas.insert(rel.clone(), meta);
    }
    let total_jobs = jobs.len();
    let skipped_files = outcomes.iter().map(|o| &o.rel).collect::<HashSet<_>>().len();
    eprintln!(
        "sable-test262: {} files, {} runs to make, {} runs skipped ({} files), {} workers",
        tests.len(),
        total_jobs,
        outcomes.len(),
        skipped_files,
        opts.jobs
    );

    let queue = Arc::new(Mutex::new(jobs.into_iter().rev().collect::<Vec<Job>>()));
    let results = Arc::new(Mutex::new(Vec::<Outcome>::new()));
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let opts = Arc::new(opts);
    let mut handles = Vec::new();
    for _ in 0..opts.jobs.max(1) {
        let (queue, results, opts, done) = (queue.clone(), results.clone(), opts.clone(), done.clone());
        handles.push(std::thread::spawn(move || {
            let mut proc_: Option<WorkerProc> = None;
            loop {
                let Some(job) = queue.lock().unwrap().pop() else { break };
                if proc_.is_none() {
                    proc_ = spawn_worker(&opts).ok();
                }
                let Some(p) = proc_.as_mut() else {
                    results.lock().unwrap().push(Outcome {
                        rel: job.rel,
                        mode: Some(job.mode),
                        pass: false,
                        skipped: false,
                        message: "crash: cannot start worker".into(),
                    });
                    continue;
                };
                let sent = writeln!(p.stdin, "{}\t{}", job.rel, job.mode.name()).and_then(|_| p.stdin.flush());
                let reply = if sent.is_ok() { p.lines.recv_timeout(opts.timeout + Duration::from_secs(20)).ok() } else { None };
                let outcome = match reply {
                    Some(l) if l == "pass" => Outcome { rel: job.rel, mode: Some(job.mode), pass: true, skipped: false, message: String::new() },
                    Some(l) => {
                        Outcome { rel: job.rel, mode: Some(job.mode), pass: false, skipped: false, message: l.strip_prefix("fail\t").unwrap_or(&l).to_string() }
                    }
                    None => {
                        // The worker crashed or hung in native code: kill it and start a new one.
                        let mut dead = proc_.take().unwrap();
                        let _ = dead.child.kill();
                        let status = dead.child.wait().ok();
                        let why = match status.and_then(|s| s.code()) {
                            Some(code) => format!("crash: worker exited with status {code}"),
                            None => "crash: worker killed (signal or hang)".to_string(),
                        };
                        Outcome { rel: job.rel, mode: Some(job.mode), pass: false, skipped: false, message: why }
                    }
                };
                results.lock().unwrap().push(outcome);
                let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                if opts.verbose || n % 5000 == 0 {
                    eprintln!("  {n}/{total_jobs}");
                }
            }
            if let Some(mut p) = proc_ {
                drop(p.stdin);
                let _ = p.child.wait();
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    outcomes.extend(results.lock().unwrap().drain(..));
    outcomes.sort_by(|a, b| (&a.rel, a.mode).cmp(&(&b.rel, b.mode)));
    let elapsed = started.elapsed();
    let opts = Arc::try_unwrap(opts).ok().unwrap();

    // Summaries.
    let mut by_dir: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_feature: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for o in &outcomes {
        total.add(o);
        let parts: Vec<&str> = o.rel.split('/').collect();
        if parts.len() > 2 {
            by_dir.entry(parts[1].to_string()).or_default().add(o);
        }
        if parts.len() > 3 {
            by_dir.entry(format!("{}/{}", parts[1], parts[2])).or_default().add(o);
        }
        if let Some(m) = metas.get(&o.rel) {
            for f in &m.features {
                by_feature.entry(f.clone()).or_default().add(o);
            }
        }
    }
    // Every count is of runs: a test runs once per mode (sloppy and strict,
    // or once for raw, module, onlyStrict and noStrict tests), and a skipped
    // test counts the runs it would have made. "all" is pass / (pass + fail +
    // skip); "made" is pass / (pass + fail).
    println!("{:<48} {:>7} {:>7} {:>7} {:>7} {:>7}", "directory (runs)", "pass", "fail", "skip", "all", "made");
    for (d, t) in &by_dir {
        if !d.contains('/') {
            println!("{:<48} {:>7} {:>7} {:>7} {:>6.1}% {:>6.1}%", d, t.pass, t.fail, t.skip, t.rate_all(), t.rate());
            for (d2, t2) in by_dir.range(format!("{d}/")..format!("{d}0")) {
                println!("  {:<46} {:>7} {:>7} {:>7} {:>6.1}% {:>6.1}%", d2, t2.pass, t2.fail, t2.skip, t2.rate_all(), t2.rate());
            }
        }
    }
    if opts.verbose {
        println!("\n{:<48} {:>7} {:>7} {:>7}", "feature", "pass", "fail", "skip");
        for (f, t) in &by_feature {
            println!("{:<48} {:>7} {:>7} {:>7}", f, t.pass, t.fail, t.skip);
        }
    }
    println!(
        "\ntotal: {} of {} runs passed ({:.1}%; skips count as not passed); {} of {} runs made passed ({:.1}%); {} failed, {} skipped; {:.1}s",
        total.pass,
        total.all(),
        total.rate_all(),
        total.pass,
        total.pass + total.fail,
        total.rate(),
        total.fail,
        total.skip,
        elapsed.as_secs_f64()
    );

    if let Some(path) = &opts.json {
        let mut s = String::from("{\"tests\":[\n");
        for (i, o) in outcomes.iter().enumerate() {
            let outcome = if o.skipped {
                "skip"
            } else if o.pass {
                "pass"
            } else {
                "fail"
            };
            s.push_str(&format!(
                "{{\"path\":\"{}\",\"mode\":\"{}\",\"outcome\":\"{}\",\"message\":\"{}\"}}{}\n",
                json_escape(&o.rel),
                o.mode.map_or("-", |m| m.name()),
                outcome,
                json_escape(&o.message),
                if i + 1 < outcomes.len() { "," } else { "" }
            ));
        }
        s.push_str(&format!(
            "],\"summary\":{{\"pass\":{},\"fail\":{},\"skip\":{},\"seconds\":{:.1}}},\n\"features\":{{",
            total.pass,
            total.fail,
            total.skip,
            elapsed.as_secs_f64()
        ));
        let feats: Vec<String> =
            by_feature.iter().map(|(f, t)| format!("\"{}\":{{\"pass\":{},\"fail\":{},\"skip\":{}}}", json_escape(f), t.pass, t.fail, t.skip)).collect();
        s.push_str(&feats.join(","));
        s.push_str("}}\n");
        if let Err(e) = std::fs::write(path, s) {
            eprintln!("sable-test262: cannot write {}: {e}", path.display());
        }
    }

    let failures: BTreeMap<(String, String), String> =
        outcomes.iter().filter(|o| !o.pass && !o.skipped).map(|o| ((o.rel.clone(), o.mode.map_or("-", |m| m.name()).to_string()), o.message.clone())).collect();
    if opts.update {
        let mut s = String::from(
            "# test262 tests expected to fail: path mode kind | first error line. Regenerate with\n# cargo run --release --bin sable-test262 -- --update-expectations\n# kind: error, unsupported (a feature not implemented yet), oom, timeout, panic, crash.\n# --check fails when a failure of another kind turns into a timeout, panic or crash.\n",
        );
        for ((p, m), msg) in &failures {
            s.push_str(&format!("{p} {m} {} | {msg}\n", FailKind::of(msg).name()));
        }
        if let Err(e) = std::fs::write(&opts.expectations, s) {
            eprintln!("sable-test262: cannot write {}: {e}", opts.expectations.display());
            return ExitCode::from(1);
        }
        eprintln!("sable-test262: wrote {} expected failures to {}", failures.len(), opts.expectations.display());
        return ExitCode::SUCCESS;
    }
    if opts.check {
        let expected = read_expectations(&opts.expectations);
        let ran: HashSet<(String, String)> =
            outcomes.iter().filter(|o| !o.skipped).map(|o| (o.rel.clone(), o.mode.map_or("-", |m| m.name()).to_string())).collect();
        let mut newly_failing = Vec::new();
        let mut newly_passing = Vec::new();
        let mut now_severe = Vec::new();
        for (k, msg) in &failures {
            let kind = FailKind::of(msg);
            match expected.get(k) {
                None => newly_failing.push(format!("{} {} {} | {}", k.0, k.1, kind.name(), msg)),
                Some((was, _)) if kind.is_severe(opts.gc_stress) && kind != *was => {
                    now_severe.push(format!("{} {} {} (was {}) | {}", k.0, k.1, kind.name(), was.name(), msg))
                }
                Some(_) => {}
            }
        }
        for k in expected.keys() {
            if ran.contains(k) && !failures.contains_key(k) {
                newly_passing.push(format!("{} {}", k.0, k.1));
            }
        }
        for l in &newly_failing {
            println!("NEW FAILURE: {l}");
        }
        for l in &now_severe {
            println!("EXPECTED FAILURE NOW A TIMEOUT/PANIC/CRASH: {l}");
        }
        for l in &newly_passing {
            println!("NOW PASSING (remove from expectations): {l}");
        }
        if !newly_failing.is_empty() || !newly_passing.is_empty() || !now_severe.is_empty() {
            println!(
                "test262 ratchet: {} new failures, {} new passes, {} expected failures now a timeout/panic/crash; the expectations must be exact (see --update-expectations)",
                newly_failing.len(),
                newly_passing.len(),
                now_severe.len()
            );
            return ExitCode::from(1);
        }
        println!("test262 ratchet: results match {}", opts.expectations.display());
    }
    ExitCode::SUCCESS
}
