//! The JS-visible `v8` namespace object (Node's `v8` module): heap, space and
//! code statistics, heap snapshots (writeHeapSnapshot, getHeapSnapshot,
//! setHeapSnapshotNearHeapLimit), queryObjects, GCProfiler,
//! setFlagsFromString and cachedDataVersionTag. Functions of features Sable does not have yet are
//! absent, not stubbed.

use crate::vm::JsResult;
use crate::vm::heap::{Gc, on_clean_stack};
use crate::vm::introspect::gc_profile::{Doc, code_statistics_doc, gc_profile_doc, heap_statistics_doc, space_statistics_doc};
use crate::vm::introspect::heap_snapshot::{
    SnapshotFileError, SnapshotOptions, diagnostic_snapshot_name, enable_near_heap_limit_snapshots, heap_snapshot_to_temp_file, next_diagnostic_seq,
    write_heap_snapshot_file,
};
use crate::vm::introspect::{code_statistics, query_objects, summary::summarize};
use crate::vm::isolate::Vm;
use crate::vm::object::{CallArgs, FunctionKind, JsObject, JsString, NativeFn, ObjectKind, PropertyKey, attrs};
use crate::vm::runtime::describe::describe;
use crate::vm::runtime::flags;
use crate::vm::runtime::heap_hooks::epoch_millis;
use crate::vm::runtime::realm::Realm;
use crate::vm::value::Value;

/// Builds a fresh `v8` namespace object in `realm` (the caller caches it).
pub fn create_v8_module(vm: &mut Vm, realm: Gc<Realm>) -> Gc<JsObject> {
    let saved = vm.current_realm.replace(realm);
    let m = vm.new_object();
    let fns: &[(&str, NativeFn, u32)] = &[
        ("cachedDataVersionTag", cached_data_version_tag, 0),
        ("getHeapStatistics", get_heap_statistics, 0),
        ("getHeapSpaceStatistics", get_heap_space_statistics, 0),
        ("getHeapCodeStatistics", get_heap_code_statistics, 0),
        ("queryObjects", query_objects_fn, 2),
        ("setFlagsFromString", set_flags_from_string, 1),
        ("writeHeapSnapshot", write_heap_snapshot_fn, 2),
        ("setHeapSnapshotNearHeapLimit", set_heap_snapshot_near_heap_limit, 1),
    ];
    for &(name, f, len) in fns {
        let func = vm.new_native_function(realm, f, name, len, false);
        vm.define_value(m, name, func.value(), attrs::DEFAULT);
    }
    // getHeapSnapshot() returns a HeapSnapshotStream: read(), next() and
    // [Symbol.iterator] yield the chunks, pipe(dest) writes them to dest.
    let stream_proto = vm.new_object();
    vm.define_method(stream_proto, "read", stream_read, 0);
    vm.define_method(stream_proto, "next", stream_next, 0);
    vm.define_method(stream_proto, "pipe", stream_pipe, 2);
    let iterator = vm.symbols.iterator;
    vm.define_symbol_method(stream_proto, iterator, "[Symbol.iterator]", stream_iterator, 0, attrs::HIDDEN);
    let tag = PropertyKey::Symbol(vm.symbols.to_string_tag);
    let tag_value = vm.string_value("HeapSnapshotStream");
    stream_proto.put_named(&mut vm.heap, tag, tag_value, attrs::CONFIGURABLE);
    let get = vm.new_function_object(realm, FunctionKind::Native { f: get_heap_snapshot, data: stream_proto.value() }, "getHeapSnapshot", 1, false);
    vm.define_value(m, "getHeapSnapshot", get.value(), attrs::DEFAULT);
    // class GCProfiler { start(); stop(); }
    let proto = vm.new_object();
    let ctor = vm.new_function_object(realm, FunctionKind::Native { f: gc_profiler_constructor, data: proto.value() }, "GCProfiler", 0, true);
    let pkey = PropertyKey::Atom(vm.names.prototype);
    ctor.put_named(&mut vm.heap, pkey, proto.value(), 0);
    let ckey = PropertyKey::Atom(vm.names.constructor);
    proto.put_named(&mut vm.heap, ckey, ctor.value(), attrs::HIDDEN);
    vm.define_method(proto, "start", gc_profiler_start, 0);
    vm.define_method(proto, "stop", gc_profiler_stop, 0);
    vm.define_value(m, "GCProfiler", ctor.value(), attrs::DEFAULT);
    vm.current_realm = saved;
    m
}

/// A document as JS values: objects with its keys in order, arrays, numbers, strings.
pub fn doc_to_value(vm: &mut Vm, d: &Doc) -> JsResult<Value> {
    Ok(match d {
        Doc::Num(n) => Value::number(*n),
        Doc::Str(s) => vm.string_value(s),
        Doc::List(items) => {
            let list = vm.new_array(0);
            for (i, item) in items.iter().enumerate() {
                let v = doc_to_value(vm, item)?;
                vm.create_data_property_or_throw(list, PropertyKey::Index(i as u32), v)?;
            }
            list.value()
        }
        Doc::Map(entries) => {
            let o = vm.new_object();
            for (k, item) in entries {
                let v = doc_to_value(vm, item)?;
                let key = PropertyKey::Atom(vm.atom(k));
                vm.create_data_property_or_throw(o, key, v)?;
            }
            o.value()
        }
    })
}

/// A Node-style error: `new TypeError(message)` with a `code` property.
fn node_error(vm: &mut Vm, kind: crate::vm::runtime::ErrorType, code: &str, message: &str) -> crate::vm::Unwind {
    let e = vm.make_error(kind, message);
    let key = PropertyKey::Atom(vm.atom("code"));
    let c = vm.string_value(code);
    e.put_named(&mut vm.heap, key, c, attrs::HIDDEN | attrs::ENUMERABLE);
    crate::vm::Unwind::Throw(e.value())
}

/// Node's "Received ..." tail of ERR_INVALID_ARG_TYPE messages.
fn received(vm: &mut Vm, v: Value) -> String {
    if v.is_undefined() || v.is_null() {
        return format!(" Received {}", if v.is_null() { "null" } else { "undefined" });
    }
    match JsObject::from_value(v) {
        Some(o) if o.is_callable() => " Received function".to_string(),
        Some(_) => " Received an instance of Object".to_string(),
        None => {
            let d = describe(vm, v);
            let kind = if Gc::<JsString>::try_from_value(v).is_some() {
                "string"
            } else if v.is_number() {
                "number"
            } else if v.is_bool() {
                "boolean"
            } else {
                "symbol"
            };
            format!(" Received type {kind} ({d})")
        }
    }
}

/// Node's getHeapSnapshotOptions: `undefined` or an object whose
/// `exposeInternals` / `exposeNumericValues` are booleans when present.
fn heap_snapshot_options(vm: &mut Vm, options: Value) -> JsResult<SnapshotOptions> {
    use crate::vm::runtime::ErrorType;
    let mut opts = SnapshotOptions::default();
    if options.is_undefined() {
        return Ok(opts);
    }
    let Some(o) = JsObject::from_value(options).filter(|o| !o.is_callable() && !o.is_array()) else {
        let r = received(vm, options);
        return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_TYPE", &format!("The \"options\" argument must be of type object.{r}")));
    };
    for (name, slot) in [("exposeInternals", &mut opts.expose_internals), ("exposeNumericValues", &mut opts.expose_numeric_values)] {
        let key = PropertyKey::Atom(vm.atom(name));
        let v = vm.get(o, key, options)?;
        if v.is_undefined() {
            continue;
        }
        if !v.is_bool() {
            let r = received(vm, v);
            return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_TYPE", &format!("The \"options.{name}\" property must be of type boolean.{r}")));
        }
        *slot = v.as_bool();
    }
    Ok(opts)
}

/// Sable's `fork: true` option of writeHeapSnapshot (Node ignores unknown
/// options): on Linux, a forked child writes the file.
fn fork_requested(vm: &mut Vm, options: Value) -> JsResult<bool> {
    let Some(o) = JsObject::from_value(options) else { return Ok(false) };
    let key = PropertyKey::Atom(vm.atom("fork"));
    Ok(vm.get(o, key, options)? == Value::TRUE)
}

/// Writes the file here, or (fork) from a child reaped by a thread of its own.
fn write_heap_snapshot_or_fork(vm: &mut Vm, opts: SnapshotOptions, path: &std::path::Path, fork: bool) -> Result<(), SnapshotFileError> {
    #[cfg(target_os = "linux")]
    if fork {
        use crate::vm::introspect::heap_snapshot::{fork_heap_snapshot_file, wait_forked_snapshot};
        let forked = fork_heap_snapshot_file(vm, opts, path)?;
        let name = path.display().to_string();
        std::thread::spawn(move || {
            if let Err(e) = wait_forked_snapshot(forked.pid) {
                eprintln!("sable: heap snapshot {name}: {e}");
            }
        });
        return Ok(());
    }
    let _ = fork;
    write_heap_snapshot_file(vm, opts, path).map(|_| ())
}

/// `v8.setHeapSnapshotNearHeapLimit(limit)`: writes up to `limit` snapshots
/// when the heap reaches its limit; a no-op after the first call (or the
/// shell flag), as in Node.
fn set_heap_snapshot_near_heap_limit(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    use crate::vm::runtime::ErrorType;
    let limit = a.arg(0);
    if !limit.is_number() {
        let r = received(vm, limit);
        return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_TYPE", &format!("The \"limit\" argument must be of type number.{r}")));
    }
    let n = limit.as_number();
    if n.fract() != 0.0 || !n.is_finite() {
        let d = describe(vm, limit);
        return Err(node_error(
            vm,
            ErrorType::RangeError,
            "ERR_OUT_OF_RANGE",
            &format!("The value of \"limit\" is out of range. It must be an integer. Received {d}"),
        ));
    }
    if !(1.0..=2147483647.0).contains(&n) {
        let d = describe(vm, limit);
        return Err(node_error(
            vm,
            ErrorType::RangeError,
            "ERR_OUT_OF_RANGE",
            &format!("The value of \"limit\" is out of range. It must be >= 1 && <= 2147483647. Received {d}"),
        ));
    }
    // Node announces each file on stderr.
    let announce: crate::vm::introspect::heap_snapshot::SnapshotWrittenFn = Box::new(|name, r| match r {
        Ok(_) => {
            let path = std::env::current_dir().map(|d| d.join(name)).unwrap_or_else(|_| name.into());
            eprintln!("Wrote snapshot to {}", path.display());
        }
        Err(e) => eprintln!("Cannot write heap snapshot {name}: {e}"),
    });
    enable_near_heap_limit_snapshots(vm, n as u32, Some(announce));
    Ok(Value::UNDEFINED)
}

/// `v8.getHeapSnapshot([options])`: collects garbage, writes the snapshot to
/// an unlinked temporary file and returns a stream reading it back in chunks.
fn get_heap_snapshot(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    on_clean_stack(|| get_heap_snapshot_on_clean_stack(vm, a))
}

fn get_heap_snapshot_on_clean_stack(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let opts = heap_snapshot_options(vm, a.arg(0))?;
    let proto = match &a.callee.kind {
        ObjectKind::Function(f) => match f.kind {
            FunctionKind::Native { data, .. } => data,
            _ => Value::NULL,
        },
        _ => Value::NULL,
    };
    vm.collect_garbage();
    match heap_snapshot_to_temp_file(vm, opts) {
        Ok(file) => Ok(vm.new_object_with_proto(proto, ObjectKind::HeapSnapshotStream(Some(Box::new(file)))).value()),
        Err(SnapshotFileError::Io(e)) => {
            let (code, text) = uv_error(&e);
            Err(node_error(vm, crate::vm::runtime::ErrorType::Error, code, &format!("{code}: {text}, write")))
        }
        Err(e) => Err(vm.type_error(&e.to_string())),
    }
}

/// The next chunk of a snapshot stream (up to 64 KiB), or None at the end.
fn stream_chunk(vm: &mut Vm, this: Value, method: &str) -> JsResult<Option<Value>> {
    use std::io::Read;
    let Some(o) = JsObject::from_value(this).filter(|o| matches!(o.kind, ObjectKind::HeapSnapshotStream(_))) else {
        return Err(vm.type_error(&format!("HeapSnapshotStream.prototype.{method} called on an incompatible receiver")));
    };
    // SAFETY: the stream object is live (it is `this`) and nothing else
    // borrows it while its file is read.
    let kind = unsafe { &mut o.m().kind };
    let ObjectKind::HeapSnapshotStream(slot) = kind else { unreachable!() };
    let Some(file) = slot.as_mut() else { return Ok(None) };
    let mut buf = vec![0u8; crate::vm::introspect::heap_snapshot::DEFAULT_CHUNK_SIZE];
    let n = loop {
        match file.read(&mut buf) {
            Ok(n) => break n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                *slot = None;
                let (code, text) = uv_error(&e);
                return Err(node_error(vm, crate::vm::runtime::ErrorType::Error, code, &format!("{code}: {text}, read")));
            }
        }
    };
    if n == 0 {
        *slot = None;
        return Ok(None);
    }
    Ok(Some(JsString::from_latin1(&mut vm.heap, &buf[..n]).value()))
}

/// `stream.read()`: the next chunk (a string), or null at the end.
fn stream_read(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(stream_chunk(vm, a.this, "read")?.unwrap_or(Value::NULL))
}

/// `stream.next()`: the iterator protocol over the chunks.
fn stream_next(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let chunk = stream_chunk(vm, a.this, "next")?;
    Ok(crate::vm::runtime::iteration::iter_result(vm, chunk.unwrap_or(Value::UNDEFINED), chunk.is_none()))
}

fn stream_iterator(_vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(a.this)
}

/// `stream.pipe(dest[, { end }])`: writes every chunk with `dest.write(chunk)`,
/// then calls `dest.end()` unless `end` is false or dest is stdout/stderr
/// (`fd` 1 or 2), and returns dest.
fn stream_pipe(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let dest = a.arg(0);
    let Some(d) = JsObject::from_value(dest) else {
        let r = received(vm, dest);
        return Err(node_error(
            vm,
            crate::vm::runtime::ErrorType::TypeError,
            "ERR_INVALID_ARG_TYPE",
            &format!("The \"destination\" argument must be a writable stream.{r}"),
        ));
    };
    let write_key = PropertyKey::Atom(vm.atom("write"));
    let write = vm.get(d, write_key, dest)?;
    while let Some(chunk) = stream_chunk(vm, a.this, "pipe")? {
        vm.call(write, dest, &[chunk])?;
    }
    let mut end = true;
    if let Some(o) = JsObject::from_value(a.arg(1)) {
        let key = PropertyKey::Atom(vm.atom("end"));
        end = vm.get(o, key, a.arg(1))? != Value::FALSE;
    }
    let fd_key = PropertyKey::Atom(vm.atom("fd"));
    let fd = vm.get(d, fd_key, dest)?;
    let stdio = fd.is_number() && (fd.as_number() == 1.0 || fd.as_number() == 2.0);
    if end && !stdio {
        let end_key = PropertyKey::Atom(vm.atom("end"));
        let end_fn = vm.get(d, end_key, dest)?;
        if JsObject::from_value(end_fn).is_some_and(|f| f.is_callable()) {
            vm.call(end_fn, dest, &[])?;
        }
    }
    Ok(dest)
}

/// Node's uv error code and text for an I/O error.
fn uv_error(e: &std::io::Error) -> (&'static str, &'static str) {
    match e.raw_os_error() {
        Some(libc::ENOENT) => ("ENOENT", "no such file or directory"),
        Some(libc::EACCES) => ("EACCES", "permission denied"),
        Some(libc::EPERM) => ("EPERM", "operation not permitted"),
        Some(libc::EISDIR) => ("EISDIR", "illegal operation on a directory"),
        Some(libc::ENOTDIR) => ("ENOTDIR", "not a directory"),
        Some(libc::ENOSPC) => ("ENOSPC", "no space left on device"),
        Some(libc::EROFS) => ("EROFS", "read-only file system"),
        Some(libc::EMFILE) => ("EMFILE", "too many open files"),
        Some(libc::ENAMETOOLONG) => ("ENAMETOOLONG", "name too long"),
        _ => ("EIO", "i/o error"),
    }
}

/// `v8.writeHeapSnapshot([filename[, options]])`: collects garbage, writes the
/// snapshot to the file (Node's default name when none is given) and returns
/// the file name; throws Node's uv error when the file cannot be written.
fn write_heap_snapshot_fn(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    on_clean_stack(|| write_heap_snapshot_on_clean_stack(vm, a))
}

fn write_heap_snapshot_on_clean_stack(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    use crate::vm::runtime::ErrorType;
    let filename = a.arg(0);
    let path = if filename.is_undefined() {
        diagnostic_snapshot_name(0, next_diagnostic_seq())
    } else if let Some(s) = Gc::<JsString>::try_from_value(filename) {
        let p = s.to_rust_string();
        if p.contains('\0') {
            let d = describe(vm, filename);
            let message = format!("The argument 'path' must be a string, Uint8Array, or URL without null bytes. Received {d}");
            return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_VALUE", &message));
        }
        p
    } else {
        let r = received(vm, filename);
        return Err(node_error(
            vm,
            ErrorType::TypeError,
            "ERR_INVALID_ARG_TYPE",
            &format!("The \"path\" argument must be of type string or an instance of Buffer or URL.{r}"),
        ));
    };
    let opts = heap_snapshot_options(vm, a.arg(1))?;
    let fork = fork_requested(vm, a.arg(1))?;
    // The snapshot shows only live objects either way; a fork skips the
    // collection to keep the pause short.
    if !fork {
        vm.collect_garbage();
    }
    match write_heap_snapshot_or_fork(vm, opts, std::path::Path::new(&path), fork) {
        Ok(()) => Ok(vm.string_value(&path)),
        Err(SnapshotFileError::Io(e)) => {
            let (code, text) = uv_error(&e);
            let err = node_error(vm, ErrorType::Error, code, &format!("{code}: {text}, open '{path}'"));
            if let crate::vm::Unwind::Throw(ev) = &err
                && let Some(o) = JsObject::from_value(*ev)
            {
                let (k1, k2, k3) = (vm.atom("errno"), vm.atom("syscall"), vm.atom("path"));
                let errno = Value::number(-(e.raw_os_error().unwrap_or(libc::EIO)) as f64);
                let (syscall, p) = (vm.string_value("open"), vm.string_value(&path));
                o.put_named(&mut vm.heap, PropertyKey::Atom(k1), errno, attrs::HIDDEN | attrs::ENUMERABLE);
                o.put_named(&mut vm.heap, PropertyKey::Atom(k2), syscall, attrs::HIDDEN | attrs::ENUMERABLE);
                o.put_named(&mut vm.heap, PropertyKey::Atom(k3), p, attrs::HIDDEN | attrs::ENUMERABLE);
            }
            Err(err)
        }
        Err(SnapshotFileError::Snapshot(e)) => Err(vm.type_error(&SnapshotFileError::Snapshot(e).to_string())),
    }
}

fn cached_data_version_tag(_vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    Ok(Value::number(flags::cached_data_version_tag() as f64))
}

fn get_heap_statistics(vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    let d = heap_statistics_doc(&vm.statistics());
    doc_to_value(vm, &d)
}

fn get_heap_space_statistics(vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    let d = space_statistics_doc(&vm.heap.space_statistics());
    doc_to_value(vm, &d)
}

fn get_heap_code_statistics(vm: &mut Vm, _a: &CallArgs<'_>) -> JsResult<Value> {
    let d = code_statistics_doc(&code_statistics(vm));
    doc_to_value(vm, &d)
}

/// `queryObjects(ctor[, { format: 'count' | 'summary' }])`: after a full
/// collection, the objects whose prototype chain holds `ctor.prototype`.
fn query_objects_fn(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    on_clean_stack(|| query_objects_on_clean_stack(vm, a))
}

fn query_objects_on_clean_stack(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    use crate::vm::runtime::ErrorType;
    let ctor = a.arg(0);
    if !JsObject::from_value(ctor).is_some_and(|o| o.is_callable()) {
        let r = received(vm, ctor);
        return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_TYPE", &format!("The \"constructor\" argument must be of type function.{r}")));
    }
    let options = a.arg(1);
    let mut summary = false;
    if !options.is_undefined() {
        let Some(opts) = JsObject::from_value(options).filter(|o| !o.is_callable() && !o.is_array()) else {
            let r = received(vm, options);
            return Err(node_error(vm, ErrorType::TypeError, "ERR_INVALID_ARG_TYPE", &format!("The \"options\" argument must be of type object.{r}")));
        };
        let key = PropertyKey::Atom(vm.atom("format"));
        let format = vm.get(opts, key, options)?;
        if !format.is_undefined() {
            let text = Gc::<JsString>::try_from_value(format).map(|s| s.to_rust_string());
            match text.as_deref() {
                Some("count") => {}
                Some("summary") => summary = true,
                _ => {
                    let d = describe(vm, format);
                    return Err(node_error(
                        vm,
                        ErrorType::TypeError,
                        "ERR_INVALID_ARG_VALUE",
                        &format!("The property 'options.format' must be one of: 'count', 'summary'. Received {d}"),
                    ));
                }
            }
        }
    }
    query_objects_value(vm, ctor, summary)
}

/// queryObjects for a checked constructor: reads `ctor.prototype` (which may
/// run a getter), collects garbage, then counts or summarizes the matches.
pub fn query_objects_value(vm: &mut Vm, ctor: Value, summary: bool) -> JsResult<Value> {
    let Some(ctor_obj) = JsObject::from_value(ctor).filter(|o| o.is_callable()) else {
        return Err(vm.type_error("queryObjects: the constructor must be a function"));
    };
    let pkey = PropertyKey::Atom(vm.names.prototype);
    let prototype = vm.get(ctor_obj, pkey, ctor)?;
    vm.collect_garbage();
    let found = query_objects(vm, prototype);
    if !summary {
        return Ok(Value::int(found.len() as i32));
    }
    // Summaries are read without allocating on the JS heap.
    let texts: Vec<String> = found.iter().map(|&o| summarize(vm, o)).collect();
    drop(found);
    let out = vm.new_array(0);
    for (i, t) in texts.iter().enumerate() {
        let s = vm.string_value(t);
        vm.create_data_property_or_throw(out, PropertyKey::Index(i as u32), s)?;
    }
    Ok(out.value())
}

fn set_flags_from_string(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let arg = a.arg(0);
    let Some(text) = Gc::<JsString>::try_from_value(arg) else {
        let r = received(vm, arg);
        return Err(node_error(
            vm,
            crate::vm::runtime::ErrorType::TypeError,
            "ERR_INVALID_ARG_TYPE",
            &format!("The \"flags\" argument must be of type string.{r}"),
        ));
    };
    let stress_before = flags::gc_stress();
    flags::report_unrecognized(&flags::set_flags_from_string(&text.to_rust_string()));
    if flags::gc_stress() != stress_before {
        vm.heap.stress = flags::gc_stress();
    }
    Ok(Value::UNDEFINED)
}

fn gc_profiler_constructor(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    if a.new_target.is_undefined() {
        return Err(vm.type_error("Class constructor GCProfiler cannot be invoked without 'new'"));
    }
    let default_proto = match &a.callee.kind {
        ObjectKind::Function(f) => match f.kind {
            FunctionKind::Native { data, .. } => data,
            _ => Value::NULL,
        },
        _ => Value::NULL,
    };
    let proto = match JsObject::from_value(a.new_target) {
        Some(nt) => {
            let key = PropertyKey::Atom(vm.names.prototype);
            let p = vm.get(nt, key, a.new_target)?;
            if JsObject::is_object(p) { p } else { default_proto }
        }
        None => default_proto,
    };
    Ok(vm.new_object_with_proto(proto, ObjectKind::GcProfiler(0)).value())
}

fn this_profiler(vm: &mut Vm, this: Value, method: &str) -> JsResult<(Gc<JsObject>, u64)> {
    match JsObject::from_value(this) {
        Some(o) => match o.kind {
            ObjectKind::GcProfiler(id) => Ok((o, id)),
            _ => Err(vm.type_error(&format!("GCProfiler.prototype.{method} called on an object that is not a GCProfiler"))),
        },
        None => Err(vm.type_error(&format!("GCProfiler.prototype.{method} called on a non-object"))),
    }
}

/// Starts recording (a second start while recording does nothing, as in Node).
fn gc_profiler_start(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, id) = this_profiler(vm, a.this, "start")?;
    if id == 0 {
        let id = vm.gc_profile_start();
        // SAFETY: a short borrow of a live cell; nothing else touches it meanwhile.
        unsafe { o.m() }.kind = ObjectKind::GcProfiler(id);
    }
    Ok(Value::UNDEFINED)
}

/// Stops recording and returns Node's document, or undefined if not started.
fn gc_profiler_stop(vm: &mut Vm, a: &CallArgs<'_>) -> JsResult<Value> {
    let (o, id) = this_profiler(vm, a.this, "stop")?;
    if id == 0 {
        return Ok(Value::UNDEFINED);
    }
    // SAFETY: a short borrow of a live cell; nothing else touches it meanwhile.
    unsafe { o.m() }.kind = ObjectKind::GcProfiler(0);
    let Some(profile) = vm.gc_profile_stop(id) else { return Ok(Value::UNDEFINED) };
    let d = gc_profile_doc(&profile, epoch_millis());
    doc_to_value(vm, &d)
}
