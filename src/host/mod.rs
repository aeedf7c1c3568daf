//! Host objects shared by the `sable` shell and the test262 runner: `print`,
//! the plain `console`, `gc` and the test262 host object `$262`
//! (INTERPRETING.md), and uncaught-exception reporting. The Node-like host of
//! normal shell runs (console formatting, process, timers, require) is in
//! node.rs, node.js and event_loop.rs. Built only on the public embedding API.

use std::io::Write;

pub mod diagnostics;
mod event_loop;
mod node;

pub use node::{BUILTIN_MODULES, ModuleLoader, NodeHost, install_node_globals};

thread_local! {
    /// When set, `print` appends its lines here instead of writing to stdout.
    static PRINT_CAPTURE: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Starts capturing `print` output on this thread.
pub fn start_print_capture() {
    PRINT_CAPTURE.with(|c| *c.borrow_mut() = Some(Vec::new()));
}

/// Stops capturing and returns the captured lines.
pub fn take_print_capture() -> Vec<String> {
    PRINT_CAPTURE.with(|c| c.borrow_mut().take().unwrap_or_default())
}

use crate::api::{ApiResult, CallInfo, ContextId, ErrorKind, Isolate, Local, Status, ValueType};

/// Joins the arguments with spaces after ToString (print / console.log).
pub fn print_fn(iso: &mut Isolate, c: ContextId, info: &CallInfo) -> ApiResult<()> {
    let mut parts = Vec::new();
    for &a in &info.args {
        let s = iso.to_string(c, a)?;
        parts.push(iso.string_to_utf8(s).unwrap_or_default());
    }
    let line = parts.join(" ");
    let captured = PRINT_CAPTURE.with(|cap| match cap.borrow_mut().as_mut() {
        Some(buf) => {
            buf.push(line.clone());
            true
        }
        None => false,
    });
    if captured {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
    Ok(())
}

fn gc_fn(iso: &mut Isolate, _c: ContextId, _info: &CallInfo) -> ApiResult<()> {
    iso.collect_garbage();
    Ok(())
}

fn define_fn(
    iso: &mut Isolate,
    c: ContextId,
    target: Local,
    name: &str,
    length: u32,
    f: fn(&mut Isolate, ContextId, &CallInfo) -> ApiResult<()>,
) -> ApiResult<()> {
    let func = iso.function_new(c, Box::new(f), name, length)?;
    iso.set_named(c, target, name, func)
}

/// Installs print, console.log and (optionally) gc into a context.
pub fn install_globals(iso: &mut Isolate, c: ContextId, expose_gc: bool) -> ApiResult<()> {
    let global = iso.context_global(c).ok_or(Status::InvalidArgument)?;
    define_fn(iso, c, global, "print", 1, print_fn)?;
    let console = iso.object_new(c)?;
    define_fn(iso, c, console, "log", 0, print_fn)?;
    define_fn(iso, c, console, "error", 0, print_fn)?;
    iso.set_named(c, global, "console", console)?;
    if expose_gc {
        define_fn(iso, c, global, "gc", 0, gc_fn)?;
    }
    Ok(())
}

// ----- test262 host ($262) -----

fn create_realm_fn(iso: &mut Isolate, _c: ContextId, info: &CallInfo) -> ApiResult<()> {
    let nc = iso.context_new()?;
    install_globals(iso, nc, true)?;
    let d = install_262(iso, nc)?;
    info.set_return(d);
    Ok(())
}

fn eval_script_fn(iso: &mut Isolate, c: ContextId, info: &CallInfo) -> ApiResult<()> {
    let src = info.args.first().copied().ok_or(Status::InvalidArgument);
    let src = match src {
        Ok(s) => s,
        Err(_) => return Err(iso.throw_error(c, ErrorKind::TypeError, "evalScript needs a string")),
    };
    let s = iso.to_string(c, src)?;
    let text = iso.string_to_utf8(s).unwrap_or_default();
    let r = iso.eval(c, &text, Some("evalScript"))?;
    info.set_return(r);
    Ok(())
}

fn detach_fn(iso: &mut Isolate, c: ContextId, info: &CallInfo) -> ApiResult<()> {
    let buffer = info.args.first().copied().filter(|&b| iso.is_array_buffer(b));
    match buffer.map(|b| iso.array_buffer_detach(b)) {
        Some(Ok(())) => Ok(()),
        _ => Err(iso.throw_error(c, ErrorKind::TypeError, "detachArrayBuffer needs an ArrayBuffer")),
    }
}

/// Creates `$262` for context `c`, defines it on c's global, and returns it.
pub fn install_262(iso: &mut Isolate, c: ContextId) -> ApiResult<Local> {
    let global = iso.context_global(c).ok_or(Status::InvalidArgument)?;
    let d = iso.object_new(c)?;
    iso.set_named(c, d, "global", global)?;
    define_fn(iso, c, d, "gc", 0, gc_fn)?;
    define_fn(iso, c, d, "createRealm", 0, create_realm_fn)?;
    define_fn(iso, c, d, "evalScript", 1, eval_script_fn)?;
    define_fn(iso, c, d, "detachArrayBuffer", 1, detach_fn)?;
    iso.set_named(c, global, "$262", d)?;
    Ok(d)
}

/// Takes the pending exception and formats it as `Uncaught Name: message`
/// plus the stack lines (None if nothing is pending).
pub fn describe_exception(iso: &mut Isolate, c: ContextId) -> Option<(String, String)> {
    let e = iso.take_exception()?;
    let mut header = match iso.to_string(c, e) {
        Ok(s) => iso.string_to_utf8(s).unwrap_or_default(),
        Err(_) => {
            iso.take_exception();
            "exception".to_string()
        }
    };
    let mut stack_lines = String::new();
    if iso.type_of(e) == Some(ValueType::Object)
        && let Ok(st) = iso.get_named(c, e, "stack")
        && let Some(text) = iso.string_to_utf8(st)
    {
        let mut lines = text.lines();
        if let Some(first) = lines.next() {
            header = first.to_string();
        }
        for l in lines {
            stack_lines.push_str(l);
            stack_lines.push('\n');
        }
    }
    Some((format!("Uncaught {header}"), stack_lines))
}

/// Prints an uncaught exception as `Uncaught Name: message` plus the stack on stderr.
pub fn report_exception(iso: &mut Isolate, c: ContextId) {
    if let Some((header, stack)) = describe_exception(iso, c) {
        eprintln!("{header}");
        if !stack.is_empty() {
            eprint!("{stack}");
        }
    }
}
