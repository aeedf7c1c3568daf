//! The Node-like globals of the `sable` shell: installs node.js (console with
//! util.inspect formatting, process, timers, queueMicrotask, require) with the
//! native helpers it needs, and holds the table of built-in modules `require`
//! knows. The event loop that drives it is in event_loop.rs.

use std::io::Write;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Instant;

use crate::api::{ApiResult, CallInfo, ContextId, GlobalId, Isolate, Local, PromiseState, Status, ValueType};

/// The JS half of the host; its completion value is `function (binding) { ...; return hooks; }`.
const NODE_JS: &str = include_str!("node.js");

/// Loads a built-in module: given the host's hooks object (which holds the
/// JS-implemented modules), returns the module's exports object.
pub type ModuleLoader = fn(&mut Isolate, ContextId, Local) -> ApiResult<Local>;

/// The modules `require` knows, by name (`require('node:x')` looks up `x`).
/// Adding a module is one line here; `require` caches what a loader returns.
pub const BUILTIN_MODULES: &[(&str, ModuleLoader)] = &[("util", |iso, c, hooks| iso.get_named(c, hooks, "util")), ("v8", |iso, c, _hooks| iso.v8_module(c))];

/// The Node-like host installed in one context: the context and the hooks
/// object node.js returned (timers, ticks, exit), kept alive as a global.
pub struct NodeHost {
    pub(crate) ctx: ContextId,
    pub(crate) hooks: GlobalId,
}

/// Process start for `now()`: the clock of timers and the event loop.
fn start_instant() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

/// Milliseconds since the host clock started (fractional).
pub(crate) fn now_ms() -> f64 {
    start_instant().elapsed().as_secs_f64() * 1000.0
}

/// Writes text to stdout or stderr and flushes (console and process.std*.write).
fn write_text(iso: &mut Isolate, c: ContextId, info: &CallInfo, to_stderr: bool) -> ApiResult<()> {
    let Some(&arg) = info.args.first() else { return Ok(()) };
    let s = iso.to_string(c, arg)?;
    let text = iso.string_to_utf8(s).unwrap_or_default();
    if to_stderr {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    } else {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
    Ok(())
}

/// Flushes the standard streams and ends the process with `code`.
pub(crate) fn exit_process(code: i32) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code)
}

fn define(iso: &mut Isolate, c: ContextId, target: Local, name: &str, length: u32, f: crate::api::NativeCallback) -> ApiResult<()> {
    let func = iso.function_new(c, f, name, length)?;
    iso.set_named(c, target, name, func)
}

fn string(iso: &mut Isolate, s: &str) -> Local {
    iso.string_from_utf8_lossy(s.as_bytes())
}

/// Node's name for the platform (`process.platform`).
fn node_platform() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    }
}

/// Node's name for the CPU architecture (`process.arch`).
fn node_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        "x86" => "ia32",
        other => other,
    }
}

#[cfg(unix)]
fn parent_pid() -> f64 {
    f64::from(std::os::unix::process::parent_id())
}
#[cfg(not(unix))]
fn parent_pid() -> f64 {
    0.0
}

/// Builds the `binding` object node.js receives: native helpers and process data.
fn make_binding(iso: &mut Isolate, c: ContextId, argv: &[String], hooks_slot: Rc<std::cell::Cell<Option<GlobalId>>>) -> ApiResult<Local> {
    let b = iso.object_new(c)?;
    define(iso, c, b, "writeOut", 1, Box::new(|iso, c, info| write_text(iso, c, info, false)))?;
    define(iso, c, b, "writeErr", 1, Box::new(|iso, c, info| write_text(iso, c, info, true)))?;
    define(
        iso,
        c,
        b,
        "now",
        0,
        Box::new(|iso, _c, info| {
            let n = iso.number(now_ms());
            info.set_return(n);
            Ok(())
        }),
    )?;
    define(
        iso,
        c,
        b,
        "reallyExit",
        1,
        Box::new(|iso, c, info| {
            let code = match info.args.first() {
                Some(&v) => iso.to_number(c, v)?,
                None => 0.0,
            };
            let code = if code.is_finite() { code as i32 } else { 0 };
            exit_process(code)
        }),
    )?;
    define(
        iso,
        c,
        b,
        "promiseState",
        1,
        Box::new(|iso, c, info| {
            let Some(&p) = info.args.first() else { return Ok(()) };
            let Some((state, result)) = iso.promise_state(p) else { return Ok(()) };
            let code = match state {
                PromiseState::Pending => 0.0,
                PromiseState::Fulfilled => 1.0,
                PromiseState::Rejected => 2.0,
            };
            let arr = iso.array_new(c, 2)?;
            let n = iso.number(code);
            iso.set_index(c, arr, 0, n)?;
            iso.set_index(c, arr, 1, result)?;
            info.set_return(arr);
            Ok(())
        }),
    )?;
    define(
        iso,
        c,
        b,
        "isNativeError",
        1,
        Box::new(|iso, _c, info| {
            let yes = info.args.first().is_some_and(|&v| iso.is_error(v));
            let r = iso.boolean(yes);
            info.set_return(r);
            Ok(())
        }),
    )?;
    let slot = hooks_slot.clone();
    define(
        iso,
        c,
        b,
        "loadBuiltin",
        1,
        Box::new(move |iso, c, info| {
            let Some(&name) = info.args.first() else { return Ok(()) };
            let Some(name) = iso.string_to_utf8(name) else { return Ok(()) };
            let Some(&(_, load)) = BUILTIN_MODULES.iter().find(|(n, _)| *n == name) else { return Ok(()) };
            let Some(hooks) = slot.get().and_then(|g| iso.global_get(g)) else { return Ok(()) };
            let m = load(iso, c, hooks)?;
            info.set_return(m);
            Ok(())
        }),
    )?;
    let slot = hooks_slot;
    define(
        iso,
        c,
        b,
        "fatalException",
        1,
        Box::new(move |iso, c, info| {
            // An exception nothing can catch (a queueMicrotask callback threw):
            // report it, emit 'exit' with code 1 and end the process, as Node does.
            let Some(&err) = info.args.first() else { return Ok(()) };
            let _ = iso.throw(c, err);
            super::report_exception(iso, c);
            let code = match slot.get() {
                Some(hooks) => NodeHost { ctx: c, hooks }.exit(iso, Some(1)),
                None => 1,
            };
            exit_process(code)
        }),
    )?;

    let args = iso.array_new(c, 0)?;
    for (i, a) in argv.iter().enumerate() {
        let s = string(iso, a);
        iso.set_index(c, args, i as u32, s)?;
    }
    iso.set_named(c, b, "argv", args)?;
    let env = iso.object_new(c)?;
    for (k, v) in std::env::vars_os() {
        let k = string(iso, &k.to_string_lossy());
        let v = string(iso, &v.to_string_lossy());
        iso.set(c, env, k, v)?;
    }
    iso.set_named(c, b, "env", env)?;
    let pid = iso.number(f64::from(std::process::id()));
    iso.set_named(c, b, "pid", pid)?;
    let ppid = iso.number(parent_pid());
    iso.set_named(c, b, "ppid", ppid)?;
    let platform = string(iso, node_platform());
    iso.set_named(c, b, "platform", platform)?;
    let arch = string(iso, node_arch());
    iso.set_named(c, b, "arch", arch)?;
    let version = string(iso, env!("CARGO_PKG_VERSION"));
    iso.set_named(c, b, "version", version)?;
    let cwd = std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
    let cwd = string(iso, &cwd);
    iso.set_named(c, b, "cwd", cwd)?;
    Ok(b)
}

/// The absolute form of a script path (Node's `process.argv[1]`).
fn absolute_path(path: &str) -> String {
    let p = std::path::Path::new(path);
    let abs = if p.is_absolute() { p.to_path_buf() } else { std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf()) };
    abs.to_string_lossy().into_owned()
}

/// Installs the Node-like globals (console, process, setTimeout and friends,
/// queueMicrotask, require, global) into context `c`. `script` is the main
/// script's path (if a file is run) and `args` the arguments given after it:
/// `process.argv` is `[shell path, absolute script path, ...args]`. `print`
/// and `gc` from [`super::install_globals`] stay as they are.
pub fn install_node_globals(iso: &mut Isolate, c: ContextId, script: Option<&str>, args: &[String]) -> ApiResult<NodeHost> {
    start_instant();
    let exe = std::env::current_exe().map(|p| p.to_string_lossy().into_owned()).unwrap_or_else(|_| "sable".to_string());
    let main = script.map(absolute_path);
    let argv: Vec<String> = std::iter::once(exe).chain(main.clone()).chain(args.iter().cloned()).collect();
    let token = iso.open_scope();
    let r = (|| {
        let init = iso.eval(c, NODE_JS, Some("node:internal/sable_host"))?;
        if iso.type_of(init) != Some(ValueType::Function) {
            return Err(Status::InternalError);
        }
        let slot = Rc::new(std::cell::Cell::new(None));
        let binding = make_binding(iso, c, &argv, slot.clone())?;
        if let Some(main) = &main {
            let m = string(iso, main);
            iso.set_named(c, binding, "mainScript", m)?;
        }
        let undefined = iso.undefined();
        let hooks = iso.call(c, init, undefined, &[binding])?;
        let hooks = iso.global_new(hooks).ok_or(Status::InvalidArgument)?;
        slot.set(Some(hooks));
        Ok(NodeHost { ctx: c, hooks })
    })();
    iso.close_scope(token);
    r
}

impl NodeHost {
    /// Calls `hooks[name](...args)`; the result is a handle in the caller's scope.
    pub(crate) fn call_hook(&self, iso: &mut Isolate, name: &str, args: &[Local]) -> ApiResult<Local> {
        let hooks = iso.global_get(self.hooks).ok_or(Status::InvalidArgument)?;
        let f = iso.get_named(self.ctx, hooks, name)?;
        if iso.type_of(f) != Some(ValueType::Function) {
            return Err(Status::InvalidArgument);
        }
        iso.call(self.ctx, f, hooks, args)
    }

    /// `util.inspect(v)` as Rust text (the REPL's display); `None` if inspecting threw.
    pub fn inspect(&self, iso: &mut Isolate, v: Local) -> Option<String> {
        let token = iso.open_scope();
        let r = self.call_hook(iso, "inspect", &[v]).ok().and_then(|s| iso.string_to_utf8(s));
        if r.is_none() {
            iso.take_exception();
        }
        iso.close_scope(token);
        r
    }

    /// Emits process 'exit' (once) and returns the exit code: `forced` (an
    /// uncaught exception gives 1) or else `process.exitCode`, read after the
    /// listeners ran. A listener that throws is reported and the code is 1.
    pub fn exit(&self, iso: &mut Isolate, forced: Option<i32>) -> i32 {
        let token = iso.open_scope();
        let arg = match forced {
            Some(code) => iso.number(f64::from(code)),
            None => iso.undefined(),
        };
        let code = match self.call_hook(iso, "emitExit", &[arg]) {
            Ok(v) => match iso.to_number(self.ctx, v) {
                Ok(n) if n.is_finite() => n as i32,
                _ => 1,
            },
            Err(Status::Exception) => {
                super::report_exception(iso, self.ctx);
                1
            }
            Err(_) => 1,
        };
        iso.close_scope(token);
        code
    }
}
