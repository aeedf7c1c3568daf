//! The `sable` shell: runs files or `-e CODE`, a simple REPL, and the test262
//! host (`--test262` installs `$262`). Built on the safe embedding API.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use sable::api::{ContextId, Isolate, IsolateParams, Status};
use sable::host::{install_262, install_globals, report_exception};

struct Options {
    files: Vec<(String, bool)>,
    eval: Vec<String>,
    print_bytecode: bool,
    expose_gc: bool,
    test262: bool,
    heap_limit_mb: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: sable [options] [FILE...] [--module FILE]\n\
         options:\n  -e CODE            evaluate CODE\n  --print-bytecode   print the bytecode of each script instead of running it\n  \
         --gc-stress        collect garbage at every safepoint\n  --expose-gc        install a global gc()\n  \
         --test262          install the test262 host object $262\n  --max-heap-size MB limit the JS heap (out of memory ends the script)\n  --module FILE      run FILE as a module\n  -h, --help         this help"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut o = Options { files: Vec::new(), eval: Vec::new(), print_bytecode: false, expose_gc: false, test262: false, heap_limit_mb: 0 };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-e" => o.eval.push(args.next().unwrap_or_else(|| usage())),
            "--print-bytecode" => o.print_bytecode = true,
            "--gc-stress" => {
                // SAFETY: single-threaded at this point (before any isolate exists).
                unsafe { std::env::set_var("SABLE_GC_STRESS", "1") };
            }
            "--expose-gc" => o.expose_gc = true,
            "--test262" => o.test262 = true,
            "--max-heap-size" => o.heap_limit_mb = args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| usage()),
            "--module" => o.files.push((args.next().unwrap_or_else(|| usage()), true)),
            "-h" | "--help" => usage(),
            s if s.starts_with('-') => {
                eprintln!("sable: unknown option {s}");
                usage()
            }
            _ => o.files.push((a, false)),
        }
    }
    o
}

fn run_source(iso: &mut Isolate, c: ContextId, text: &str, name: &str, opts: &Options) -> bool {
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
    let r = iso.eval(c, text, Some(name));
    let ok = match r {
        Ok(_) => match iso.run_microtasks() {
            Ok(()) => true,
            Err(Status::Exception) => {
                report_exception(iso, c);
                false
            }
            Err(s) => {
                eprintln!("sable: {s:?}");
                false
            }
        },
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
    };
    iso.close_scope(token);
    ok
}

fn repl(iso: &mut Isolate, c: ContextId, opts: &Options) {
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
            run_source(iso, c, &line, "<repl>", opts);
        } else {
            match iso.eval(c, &line, Some("<repl>")) {
                Ok(v) => {
                    let shown = iso.inspect(c, v);
                    println!("{shown}");
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
    let c = match iso.context_new() {
        Ok(c) => c,
        Err(s) => {
            eprintln!("sable: cannot create context: {s:?}");
            return ExitCode::from(70);
        }
    };
    if install_globals(&mut iso, c, opts.expose_gc).is_err() || (opts.test262 && install_262(&mut iso, c).is_err()) {
        eprintln!("sable: cannot set up the global object");
        return ExitCode::from(70);
    }
    let mut ok = true;
    for code in &opts.eval {
        ok &= run_source(&mut iso, c, code, "<eval>", &opts);
        if !ok {
            return ExitCode::from(1);
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
        if !run_source(&mut iso, c, &text, path, &opts) {
            return ExitCode::from(1);
        }
    }
    if opts.eval.is_empty() && opts.files.is_empty() {
        repl(&mut iso, c, &opts);
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
