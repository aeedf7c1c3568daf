//! The `sable` shell: runs files or `-e CODE`, a simple REPL, and the test262
//! host (`--test262` installs `$262`). Normal runs get the Node-like host
//! (console formatting, process, timers and the event loop, require('util')).
//! Built on the safe embedding API.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use sable::api::{ContextId, Isolate, IsolateParams, Status};
use sable::host::{NodeHost, install_262, install_globals, install_node_globals, report_exception};

struct Options {
    files: Vec<(String, bool)>,
    eval: Vec<String>,
    print_bytecode: bool,
    expose_gc: bool,
    test262: bool,
    no_atomics_wait: bool,
    heap_limit_mb: usize,
    /// `--heapsnapshot-signal=SIGNAL`: the signal number.
    snapshot_signal: Option<i32>,
    /// `--heapsnapshot-near-heap-limit=N`.
    snapshot_near_limit: u32,
    /// `--heap-snapshot-on-oom`.
    snapshot_on_oom: bool,
    /// `--heapsnapshot-fork`: signal snapshots are written by a forked child.
    snapshot_fork: bool,
    /// Arguments after `--`: they go to `process.argv`, after the script.
    script_args: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: sable [options] [FILE...] [--module FILE] [-- ARG...]\n\
         options:\n  -e CODE            evaluate CODE\n  --print-bytecode   print the bytecode of each script instead of running it\n  \
         --gc-stress        collect garbage at every safepoint\n  --expose-gc        install a global gc()\n  \
         --test262          install the test262 host object $262\n  --no-atomics-wait  Atomics.wait throws instead of blocking (an agent that cannot block)\n  --max-heap-size MB limit the JS heap (out of memory ends the script)\n  \
         --heapsnapshot-signal=SIGNAL        write a heap snapshot when SIGNAL arrives\n  \
         --heapsnapshot-near-heap-limit=N    write up to N heap snapshots when the heap reaches its limit\n  \
         --heap-snapshot-on-oom              write a heap snapshot when the heap runs out of memory\n  \
         --heapsnapshot-fork                 signal snapshots are written by a forked child (Linux)\n  --module FILE      run FILE as a module\n  -- ARG...          arguments for the script (process.argv)\n  -h, --help         this help"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut o = Options {
        files: Vec::new(),
        eval: Vec::new(),
        print_bytecode: false,
        expose_gc: false,
        test262: false,
        no_atomics_wait: false,
        heap_limit_mb: 0,
        snapshot_signal: None,
        snapshot_near_limit: 0,
        snapshot_on_oom: false,
        snapshot_fork: false,
        script_args: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        // `--flag=value` and `--flag value` for the snapshot flags.
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let value = |args: &mut std::iter::Skip<std::env::Args>| inline.clone().or_else(|| args.next()).unwrap_or_else(|| usage());
        match flag.as_str() {
            "--heapsnapshot-signal" => {
                let v = value(&mut args);
                match sable::host::diagnostics::signal_number(&v) {
                    Some(n) => o.snapshot_signal = Some(n),
                    None => {
                        eprintln!("sable: --heapsnapshot-signal: unknown signal {v}");
                        std::process::exit(9)
                    }
                }
                continue;
            }
            "--heapsnapshot-near-heap-limit" => {
                let v = value(&mut args);
                o.snapshot_near_limit = v.parse().unwrap_or_else(|_| {
                    eprintln!("sable: --heapsnapshot-near-heap-limit must be a non-negative integer (got {v})");
                    std::process::exit(9)
                });
                continue;
            }
            "--heap-snapshot-on-oom" if inline.is_none() => {
                o.snapshot_on_oom = true;
                continue;
            }
            "--heapsnapshot-fork" if inline.is_none() => {
                o.snapshot_fork = true;
                continue;
            }
            _ => {}
        }
        match a.as_str() {
            "-e" => o.eval.push(args.next().unwrap_or_else(|| usage())),
            "--print-bytecode" => o.print_bytecode = true,
            "--gc-stress" => {
                // SAFETY: single-threaded at this point (before any isolate exists).
                unsafe { std::env::set_var("SABLE_GC_STRESS", "1") };
            }
            "--expose-gc" => o.expose_gc = true,
            "--test262" => o.test262 = true,
            "--no-atomics-wait" => o.no_atomics_wait = true,
            "--max-heap-size" => o.heap_limit_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--module" => o.files.push((args.next().unwrap_or_else(|| usage()), true)),
            "-h" | "--help" => usage(),
            "--" => {
                o.script_args.extend(args.by_ref());
                break;
            }
            s if s.starts_with('-') => {
                eprintln!("sable: unknown option {s}");
                usage()
            }
            _ => o.files.push((a, false)),
        }
    }
    o
}

fn run_source(iso: &mut Isolate, c: ContextId, text: &str, name: &str, opts: &Options, node: Option<&NodeHost>) -> bool {
    if opts.print_bytecode {
        match iso.disassemble(text) {
            Ok(listing) => {
                print!("{listing}");
                return true;
            }
            Err(msg) => {
                eprintln!("Uncaught SyntaxError: {msg}");
                return false;
            }
        }
    }
    let token = iso.open_scope();
    let r = iso.eval(c, text, Some(name)).and_then(|_| match node {
        // Node runs process.nextTick callbacks before each microtask checkpoint.
        Some(n) => n.drain(iso),
        None => iso.run_microtasks(),
    });
    let ok = report_outcome(iso, c, r);
    iso.close_scope(token);
    ok
}

/// Reports a failed run (an uncaught exception, OOM, termination); true if `r` is Ok.
fn report_outcome(iso: &mut Isolate, c: ContextId, r: Result<impl Sized, Status>) -> bool {
    match r {
        Ok(_) => true,
        Err(Status::Exception) => {
            report_exception(iso, c);
            false
        }
        Err(Status::OutOfMemory) => {
            eprintln!("Uncaught RangeError: JavaScript heap out of memory (the isolate was terminated)");
            false
        }
        Err(s) => {
            eprintln!("sable: execution stopped: {s:?}");
            false
        }
    }
}

/// The process exit status for a JS exit code (as the OS keeps it: the low 8 bits).
fn exit_code(code: i32) -> ExitCode {
    ExitCode::from((code & 0xff) as u8)
}

/// Ends a failed run: Node emits 'exit' with code 1 after an uncaught exception.
fn fail(iso: &mut Isolate, node: Option<&NodeHost>) -> ExitCode {
    exit_code(node.map_or(1, |n| n.exit(iso, Some(1))))
}

fn repl(iso: &mut Isolate, c: ContextId, opts: &Options, node: Option<&NodeHost>) {
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        print!("> ");
        let _ = std::io::stdout().flush();
        line.clear();
        if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
            println!();
            break;
        }
        if line.trim().is_empty() {
            continue;
        }
        let token = iso.open_scope();
        if opts.print_bytecode {
            run_source(iso, c, &line, "<repl>", opts, node);
        } else {
            match iso.eval(c, &line, Some("<repl>")) {
                Ok(v) => {
                    let shown = match node.and_then(|n| n.inspect(iso, v)) {
                        Some(s) => s,
                        None => iso.inspect(c, v),
                    };
                    println!("{shown}");
                    if let Some(n) = node
                        && n.drain(iso).is_err()
                    {
                        report_exception(iso, c);
                    }
                }
                Err(Status::Exception) => report_exception(iso, c),
                Err(s) => eprintln!("sable: {s:?}"),
            }
        }
        iso.close_scope(token);
    }
}

fn main() -> ExitCode {
    let opts = parse_args();
    let params = IsolateParams { heap_limit_bytes: opts.heap_limit_mb << 20, ..Default::default() };
    let mut iso = match Isolate::new(&params) {
        Ok(i) => i,
        Err(s) => {
            eprintln!("sable: cannot create isolate: {s:?}");
            return ExitCode::from(70);
        }
    };
    if let Some(signal) = opts.snapshot_signal
        && let Err(e) = sable::host::diagnostics::install_snapshot_signal(&iso, signal, opts.snapshot_fork)
    {
        eprintln!("sable: --heapsnapshot-signal: {e}");
        return ExitCode::from(70);
    }
    if opts.snapshot_near_limit > 0 {
        sable::host::diagnostics::install_near_heap_limit_snapshots(&mut iso, opts.snapshot_near_limit);
    }
    if opts.snapshot_on_oom {
        sable::host::diagnostics::install_snapshot_on_oom(&mut iso);
    }
    let c = match iso.context_new() {
        Ok(c) => c,
        Err(s) => {
            eprintln!("sable: cannot create context: {s:?}");
            return ExitCode::from(70);
        }
    };
    iso.set_allow_atomics_wait(!opts.no_atomics_wait);
    if install_globals(&mut iso, c, opts.expose_gc).is_err() || (opts.test262 && install_262(&mut iso, c).is_err()) {
        eprintln!("sable: cannot set up the global object");
        return ExitCode::from(70);
    }
    // test262 runs keep the plain globals; other runs get the Node-like host.
    let node = if opts.test262 {
        None
    } else {
        let script = opts.files.first().map(|(p, _)| p.as_str());
        match install_node_globals(&mut iso, c, script, &opts.script_args) {
            Ok(h) => Some(h),
            Err(s) => {
                if s == Status::Exception {
                    report_exception(&mut iso, c);
                }
                eprintln!("sable: cannot set up the shell host: {s:?}");
                return ExitCode::from(70);
            }
        }
    };
    let node = node.as_ref();
    for code in &opts.eval {
        if !run_source(&mut iso, c, code, "<eval>", &opts, node) {
            return fail(&mut iso, node);
        }
    }
    for (path, module) in &opts.files {
        if *module {
            eprintln!("sable: modules are not supported yet ({path})");
            return ExitCode::from(1);
        }
        let text = match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => {
                eprintln!("sable: cannot read {path}: {e}");
                return ExitCode::from(1);
            }
        };
        if !run_source(&mut iso, c, &text, path, &opts, node) {
            return fail(&mut iso, node);
        }
    }
    if opts.eval.is_empty() && opts.files.is_empty() {
        repl(&mut iso, c, &opts, node);
    }
    let Some(n) = node else { return ExitCode::SUCCESS };
    if opts.print_bytecode {
        return ExitCode::SUCCESS;
    }
    let r = n.run_event_loop(&mut iso);
    if !report_outcome(&mut iso, c, r) {
        return fail(&mut iso, node);
    }
    exit_code(n.exit(&mut iso, None))
}
