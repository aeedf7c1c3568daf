//! Checks `include/sable.h`: it is exactly what cbindgen generates from
//! `src/capi`, its structs and constants have the layout and values of the
//! Rust definitions (read back by a C program built with `cc`), it declares
//! every Core function of API.md with the contract's signature (checked in
//! the text and by the C compiler), and it compiles as C and C++ (with
//! sable.hpp). Needs only the Rust toolchain, `cc` and `c++`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sable::capi;

const REGENERATE: &str = "cbindgen --config cbindgen.toml --output include/sable.h src/capi/mod.rs";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn header_text() -> String {
    std::fs::read_to_string(root().join("include/sable.h")).expect("read include/sable.h")
}

// ---------------------------------------------------------------------------
// (a) the committed header is current
// ---------------------------------------------------------------------------

#[test]
fn header_matches_cbindgen_output() {
    let config = cbindgen::Config::from_file(root().join("cbindgen.toml")).expect("parse cbindgen.toml");
    let bindings = cbindgen::Builder::new().with_config(config).with_src(root().join("src/capi/mod.rs")).generate().expect("cbindgen failed on src/capi");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let committed = std::fs::read(root().join("include/sable.h")).expect("read include/sable.h");
    if generated == committed {
        return;
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sable.h.generated");
    std::fs::write(&out, &generated).expect("write generated header");
    let gen_text = String::from_utf8_lossy(&generated);
    let com_text = String::from_utf8_lossy(&committed);
    let first = gen_text.lines().zip(com_text.lines()).position(|(a, b)| a != b).unwrap_or_else(|| gen_text.lines().count().min(com_text.lines().count()));
    let line = |t: &str| t.lines().nth(first).unwrap_or("<end of file>").to_string();
    panic!(
        "include/sable.h is out of date (first difference at line {}):\n  committed: {}\n  generated: {}\n\
         generated header written to {}\n  diff -u include/sable.h {}\nregenerate with:\n  {}",
        first + 1,
        line(&com_text),
        line(&gen_text),
        out.display(),
        out.display(),
        REGENERATE
    );
}

// ---------------------------------------------------------------------------
// (b) struct layouts and constants, read back by a C program
// ---------------------------------------------------------------------------
//
// A small C program, compiled with the C compiler against include/sable.h,
// prints `sizeof` and `_Alignof` of every struct, `offsetof` and `sizeof` of
// every field, and the value of every constant; the numbers must equal
// Rust's `size_of`, `align_of` and `offset_of!` of the `sable::capi`
// definitions. The header text itself is parsed for the list of structs,
// fields and enumerators, so that a struct, field or constant the Rust side
// does not know fails too.

/// One struct: its name and fields with Rust's layout.
struct RustStruct {
    name: &'static str,
    size: usize,
    align: usize,
    /// Name, offset and size of each field.
    fields: Vec<(&'static str, usize, usize)>,
}

/// The size of the field that `get` projects to.
fn field_size<T, F>(_get: fn(&T) -> &F) -> usize {
    std::mem::size_of::<F>()
}

macro_rules! rust_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        RustStruct {
            name: stringify!($t),
            size: std::mem::size_of::<capi::$t>(),
            align: std::mem::align_of::<capi::$t>(),
            fields: vec![$((stringify!($f), std::mem::offset_of!(capi::$t, $f), field_size(|s: &capi::$t| &s.$f))),*],
        }
    };
}

fn rust_structs() -> Vec<RustStruct> {
    vec![
        rust_struct!(sable_isolate_params { struct_size, heap_limit_bytes, stack_limit_bytes, allocator }),
        rust_struct!(sable_allocator { alloc, free, user }),
        rust_struct!(sable_heap_statistics {
            struct_size,
            total_heap_size,
            total_heap_size_executable,
            total_physical_size,
            total_available_size,
            used_heap_size,
            heap_size_limit,
            malloced_memory,
            peak_malloced_memory,
            does_zap_garbage,
            number_of_native_contexts,
            number_of_detached_contexts,
            total_global_handles_size,
            used_global_handles_size,
            external_memory,
        }),
        rust_struct!(sable_heap_space_statistics { struct_size, space_name, space_size, space_used_size, space_available_size, physical_space_size }),
        rust_struct!(sable_heap_code_statistics {
            struct_size,
            code_and_metadata_size,
            bytecode_and_metadata_size,
            external_script_source_size,
            cpu_profiler_metadata_size,
        }),
        rust_struct!(sable_heap_snapshot_options { struct_size, expose_internals, expose_numeric_values, chunk_size }),
    ]
}

/// Every constant of the header with its Rust value.
fn rust_constants() -> Vec<(String, i64)> {
    let mut out = vec![("SABLE_ABI_VERSION".to_string(), i64::from(capi::SABLE_ABI_VERSION))];
    use capi::sable_status::*;
    for s in [SABLE_OK, SABLE_EXCEPTION, SABLE_TERMINATED, SABLE_OUT_OF_MEMORY, SABLE_INVALID_ARGUMENT, SABLE_INTERNAL_ERROR, SABLE_ABORTED, SABLE_IO_ERROR] {
        out.push((format!("{s:?}"), s as i64));
    }
    use capi::sable_type::*;
    for t in [
        SABLE_TYPE_UNDEFINED,
        SABLE_TYPE_NULL,
        SABLE_TYPE_BOOLEAN,
        SABLE_TYPE_NUMBER,
        SABLE_TYPE_BIGINT,
        SABLE_TYPE_STRING,
        SABLE_TYPE_SYMBOL,
        SABLE_TYPE_OBJECT,
        SABLE_TYPE_FUNCTION,
    ] {
        out.push((format!("{t:?}"), t as i64));
    }
    use capi::sable_typed_array_kind::*;
    for k in [
        SABLE_INT8_ARRAY,
        SABLE_UINT8_ARRAY,
        SABLE_UINT8_CLAMPED_ARRAY,
        SABLE_INT16_ARRAY,
        SABLE_UINT16_ARRAY,
        SABLE_INT32_ARRAY,
        SABLE_UINT32_ARRAY,
        SABLE_FLOAT16_ARRAY,
        SABLE_FLOAT32_ARRAY,
        SABLE_FLOAT64_ARRAY,
        SABLE_BIGINT64_ARRAY,
        SABLE_BIGUINT64_ARRAY,
    ] {
        out.push((format!("{k:?}"), k as i64));
    }
    use capi::sable_error_kind::*;
    for k in [SABLE_ERROR, SABLE_TYPE_ERROR, SABLE_RANGE_ERROR, SABLE_SYNTAX_ERROR, SABLE_REFERENCE_ERROR, SABLE_EVAL_ERROR, SABLE_URI_ERROR] {
        out.push((format!("{k:?}"), k as i64));
    }
    use capi::sable_gc_type::*;
    for t in [
        SABLE_GC_TYPE_SCAVENGE,
        SABLE_GC_TYPE_MINOR_MARK_SWEEP,
        SABLE_GC_TYPE_MARK_SWEEP_COMPACT,
        SABLE_GC_TYPE_INCREMENTAL_MARKING,
        SABLE_GC_TYPE_PROCESS_WEAK_CALLBACKS,
    ] {
        out.push((format!("{t:?}"), t as i64));
    }
    use capi::sable_gc_phase::*;
    for p in [SABLE_GC_PROLOGUE, SABLE_GC_EPILOGUE] {
        out.push((format!("{p:?}"), p as i64));
    }
    out
}

/// The text between `open` and the matching `}` that follows each
/// occurrence of `open` in `text`.
fn bodies<'a>(text: &'a str, open: &str) -> Vec<(String, &'a str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        rest = &rest[i + open.len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        let after = rest[name.len()..].trim_start();
        if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').expect("unterminated struct/enum in include/sable.h");
            out.push((name, &body[..end]));
        }
    }
    out
}

/// Strips `/* */` and `//` comments.
fn strip_comments(c: &str) -> String {
    let mut s = String::new();
    let mut rest = c;
    while let Some(i) = rest.find("/*") {
        s.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    s.push_str(rest);
    s.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join("\n")
}

/// The structs defined in the header with their field names, in order.
/// A field is the last identifier of its declaration, or the `(*name)` of a
/// function pointer.
fn header_structs(header: &str) -> BTreeMap<String, Vec<String>> {
    let text = strip_comments(header);
    let ident_end = |s: &str| -> String {
        let rev: String = s.chars().rev().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        rev.chars().rev().collect()
    };
    bodies(&text, "typedef struct ")
        .into_iter()
        .map(|(name, body)| {
            let fields = body
                .split(';')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .flat_map(|d| {
                    if let Some(i) = d.find("(*") {
                        let n = &d[i + 2..];
                        vec![n[..n.find(')').unwrap()].trim().to_string()]
                    } else {
                        // `size_t a, b, c` declares several fields.
                        let first_comma = d.find(',').unwrap_or(d.len());
                        let mut names = vec![ident_end(d[..first_comma].trim())];
                        names.extend(d[first_comma..].split(',').map(str::trim).filter(|n| !n.is_empty()).map(ident_end));
                        names
                    }
                })
                .collect();
            (name, fields)
        })
        .collect()
}

/// The enumerators of every enum in the header, and its `#define`d numbers.
fn header_constants(header: &str) -> Vec<String> {
    let text = strip_comments(header);
    let mut out: Vec<String> = bodies(&text, "typedef enum ")
        .into_iter()
        .flat_map(|(_, body)| body.split(',').map(|e| e.split('=').next().unwrap().trim().to_string()).filter(|e| !e.is_empty()).collect::<Vec<_>>())
        .collect();
    for l in text.lines() {
        let w: Vec<&str> = l.split_whitespace().collect();
        if w.len() == 3 && w[0] == "#define" && w[2].parse::<i64>().is_ok() {
            out.push(w[1].to_string());
        }
    }
    out
}

/// Compiles and runs a C program (`name`.c in the test's temporary
/// directory) against include/sable.h; returns its stdout.
fn run_c_program(name: &str, src: &str) -> String {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("header-check");
    std::fs::create_dir_all(&dir).unwrap();
    let c = dir.join(format!("{name}.c"));
    let exe = dir.join(name);
    std::fs::write(&c, src).unwrap();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I"])
        .arg(root().join("include"))
        .arg(&c)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run the C compiler `{cc}`: {e}"));
    assert!(out.status.success(), "{cc} rejected {}:\n{}{}", c.display(), String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let run = Command::new(&exe).output().unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    assert!(run.status.success(), "{} failed: {}", exe.display(), String::from_utf8_lossy(&run.stderr));
    String::from_utf8(run.stdout).expect("utf-8 output")
}

#[test]
fn header_struct_layouts_match_rust() {
    let rust = rust_structs();
    // The header defines exactly these structs, with exactly these fields.
    let header: BTreeMap<String, Vec<String>> = header_structs(&header_text());
    let expected: BTreeMap<String, Vec<String>> = rust.iter().map(|s| (s.name.to_string(), s.fields.iter().map(|f| f.0.to_string()).collect())).collect();
    assert_eq!(header, expected, "structs and fields of include/sable.h (left) vs the Rust layouts checked here (right)");

    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <sable.h>\n\
         #define S(T) printf(\"%s size %zu align %zu\\n\", #T, sizeof(T), (size_t)_Alignof(T))\n\
         #define F(T, f) printf(\"%s.%s offset %zu size %zu\\n\", #T, #f, offsetof(T, f), sizeof(((T *)0)->f))\n\
         int main(void) {\n",
    );
    let mut want = String::new();
    for s in &rust {
        src.push_str(&format!("  S({});\n", s.name));
        want.push_str(&format!("{} size {} align {}\n", s.name, s.size, s.align));
        for (f, off, size) in &s.fields {
            src.push_str(&format!("  F({}, {f});\n", s.name));
            want.push_str(&format!("{}.{f} offset {off} size {size}\n", s.name));
        }
    }
    src.push_str("  return 0;\n}\n");
    let got = run_c_program("layouts", &src);
    assert_eq!(got, want, "struct layouts: C compiler on include/sable.h (left) vs Rust sable::capi (right)");
}

#[test]
fn header_constants_match_rust() {
    let rust = rust_constants();
    let mut header = header_constants(&header_text());
    header.sort();
    let mut names: Vec<String> = rust.iter().map(|c| c.0.clone()).collect();
    names.sort();
    assert_eq!(header, names, "constants of include/sable.h (left) vs the Rust constants checked here (right)");

    let mut src = String::from("#include <stdio.h>\n#include <sable.h>\nint main(void) {\n");
    let mut want = String::new();
    for (name, v) in &rust {
        src.push_str(&format!("  printf(\"{name} %lld\\n\", (long long){name});\n"));
        want.push_str(&format!("{name} {v}\n"));
    }
    src.push_str("  return 0;\n}\n");
    let got = run_c_program("constants", &src);
    assert_eq!(got, want, "constants: C compiler on include/sable.h (left) vs Rust sable::capi (right)");
}

// ---------------------------------------------------------------------------
// (c) every Core declaration of API.md, with the contract's signature
// ---------------------------------------------------------------------------

/// The Core list of API.md (../shared/API.md), verbatim.
const CORE: &[&str] = &[
    "const char *sable_version(void)",
    "const char *sable_status_name(sable_status s)",
    "void sable_isolate_params_init(sable_isolate_params *params)",
    "sable_status sable_isolate_new(const sable_isolate_params *params, sable_isolate **out)",
    "void sable_isolate_dispose(sable_isolate *isolate)",
    "size_t sable_scope_open(sable_isolate *isolate)",
    "void sable_scope_close(sable_isolate *isolate, size_t token)",
    "sable_value sable_scope_escape(sable_isolate *isolate, size_t token, sable_value v)",
    "sable_status sable_context_new(sable_isolate *isolate, sable_context **out)",
    "void sable_context_dispose(sable_context *ctx)",
    "sable_isolate *sable_context_isolate(sable_context *ctx)",
    "sable_value sable_context_global(sable_context *ctx)",
    "sable_status sable_eval(sable_context *ctx, const char *src, size_t len, const char *name, sable_value *result)",
    "sable_type sable_typeof(sable_value v)",
    "sable_value sable_undefined(sable_isolate *isolate)",
    "sable_value sable_null(sable_isolate *isolate)",
    "sable_value sable_boolean(sable_isolate *isolate, bool b)",
    "sable_value sable_number(sable_isolate *isolate, double d)",
    "sable_value sable_string(sable_isolate *isolate, const char *utf8, size_t len)",
    "bool sable_is_array(sable_value v)",
    "bool sable_is_promise(sable_value v)",
    "bool sable_is_error(sable_value v)",
    "sable_status sable_to_number(sable_context *ctx, sable_value v, double *out)",
    "sable_status sable_to_boolean(sable_context *ctx, sable_value v, bool *out)",
    "sable_status sable_to_string(sable_context *ctx, sable_value v, sable_value *out)",
    "sable_status sable_string_utf8(sable_isolate *isolate, sable_value str, char *buf, size_t cap, size_t *len_out)",
    "sable_status sable_object_new(sable_context *ctx, sable_value *out)",
    "sable_status sable_array_new(sable_context *ctx, uint32_t length, sable_value *out)",
    "sable_status sable_get(sable_context *ctx, sable_value obj, sable_value key, sable_value *out)",
    "sable_status sable_set(sable_context *ctx, sable_value obj, sable_value key, sable_value val)",
    "sable_status sable_get_named(sable_context *ctx, sable_value obj, const char *utf8_name, sable_value *out)",
    "sable_status sable_set_named(sable_context *ctx, sable_value obj, const char *utf8_name, sable_value val)",
    "sable_status sable_get_index(sable_context *ctx, sable_value obj, uint32_t index, sable_value *out)",
    "sable_status sable_set_index(sable_context *ctx, sable_value obj, uint32_t index, sable_value val)",
    "sable_status sable_has(sable_context *ctx, sable_value obj, sable_value key, bool *out)",
    "sable_status sable_delete(sable_context *ctx, sable_value obj, sable_value key, bool *out)",
    "sable_status sable_own_keys(sable_context *ctx, sable_value obj, sable_value *array_out)",
    "size_t sable_call_argc(const sable_call_info *info)",
    "sable_value sable_call_arg(const sable_call_info *info, size_t i)",
    "sable_value sable_call_this(const sable_call_info *info)",
    "sable_value sable_call_new_target(const sable_call_info *info)",
    "void sable_call_return(const sable_call_info *info, sable_value v)",
    "sable_status sable_function_new(sable_context *ctx, sable_native_fn fn, void *data, const char *name, uint32_t length, sable_value *out)",
    "sable_status sable_call(sable_context *ctx, sable_value fn, sable_value this_arg, size_t argc, const sable_value *argv, sable_value *out)",
    "sable_status sable_construct(sable_context *ctx, sable_value ctor, size_t argc, const sable_value *argv, sable_value *out)",
    "sable_status sable_throw(sable_context *ctx, sable_value exception)",
    "sable_status sable_throw_error(sable_context *ctx, sable_error_kind kind, const char *utf8_message)",
    "bool sable_exception_pending(sable_isolate *isolate)",
    "sable_status sable_exception_take(sable_isolate *isolate, sable_value *out)",
    "sable_global sable_global_new(sable_isolate *isolate, sable_value v)",
    "sable_value sable_global_get(sable_isolate *isolate, sable_global g)",
    "void sable_global_set_weak(sable_isolate *isolate, sable_global g, void *data, sable_finalizer cb)",
    "void sable_global_free(sable_isolate *isolate, sable_global g)",
    "void sable_isolate_terminate_execution(sable_isolate *isolate)",
    "void sable_isolate_cancel_terminate_execution(sable_isolate *isolate)",
    "void sable_isolate_request_interrupt(sable_isolate *isolate, sable_interrupt_cb cb, void *data)",
    "sable_status sable_run_microtasks(sable_isolate *isolate)",
    "void sable_isolate_collect_garbage(sable_isolate *isolate)",
    "sable_status sable_heap_statistics_get(sable_isolate *isolate, sable_heap_statistics *out)",
];

/// The Core types of API.md.
const CORE_TYPES: &[&str] = &[
    "typedef struct sable_isolate sable_isolate",
    "typedef struct sable_context sable_context",
    "typedef struct sable_handle *sable_value",
    "typedef struct sable_global_handle *sable_global",
    "typedef struct sable_call_info sable_call_info",
    "typedef sable_status (*sable_native_fn)(sable_context *ctx, const sable_call_info *info, void *data)",
    "typedef void (*sable_finalizer)(void *data)",
    "typedef void (*sable_interrupt_cb)(sable_isolate *isolate, void *data)",
    "typedef int (*sable_write_cb)(void *user, const uint8_t *bytes, size_t len)",
    "typedef enum sable_status {",
    "typedef enum sable_type {",
    "typedef enum sable_error_kind {",
    "typedef struct sable_allocator {",
    "typedef struct sable_isolate_params {",
    "typedef struct sable_heap_statistics {",
    "void *(*alloc)(void *user, size_t size, size_t align)",
    "void (*free)(void *user, void *ptr, size_t size, size_t align)",
    "#define SABLE_ABI_VERSION 1",
];

/// Strips comments, collapses whitespace, drops the `struct`/`enum` tags
/// that cbindgen's "both" style writes in references (`struct sable_isolate *`
/// is the same type as `sable_isolate *`) and the spaces around punctuation.
fn normalize(c: &str) -> String {
    let mut s = String::new();
    let mut rest = c;
    while let Some(i) = rest.find("/*") {
        s.push_str(&rest[..i]);
        rest = rest[i..].find("*/").map_or("", |j| &rest[i + j + 2..]);
    }
    s.push_str(rest);
    let s: String = s.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join(" ");
    let mut s = s;
    for p in ["*", "(", ")", ",", "{", "}", ";"] {
        s = s.replace(p, &format!(" {p} "));
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    // Keep the tag right after `typedef` (it defines the type), drop the others.
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let tag = *w == "struct" || *w == "enum";
        if tag && (i == 0 || words[i - 1] != "typedef") {
            continue;
        }
        out.push(*w);
    }
    words = out;
    let mut s = words.join(" ");
    for p in ["*", "(", ")", ",", "{", "}", ";"] {
        s = s.replace(&format!(" {p}"), p).replace(&format!("{p} "), p);
    }
    s
}

#[test]
fn header_declares_every_core_function() {
    let header = normalize(&header_text());
    let mut missing = Vec::new();
    for proto in CORE {
        if !header.contains(&format!("{};", normalize(proto))) {
            missing.push(*proto);
        }
    }
    for t in CORE_TYPES {
        if !header.contains(&normalize(t)) {
            missing.push(*t);
        }
    }
    assert!(missing.is_empty(), "include/sable.h lacks these API.md declarations:\n  {}", missing.join("\n  "));
}

/// Splits a Core prototype `RET NAME(PARAMS)` into its parts.
fn split_proto(proto: &str) -> (&str, &str, &str) {
    let open = proto.find('(').unwrap();
    let head = &proto[..open];
    let name_at = head.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
    (&head[..name_at], &head[name_at..], &proto[open..])
}

/// The C compiler checks each Core function against the contract's type:
/// the function is assigned to a pointer declared with API.md's signature,
/// which (with -Werror) fails to compile on any mismatch of a parameter or
/// return type.
#[test]
fn core_function_types_match_the_contract() {
    let mut src = String::from("#include <sable.h>\n");
    for proto in CORE {
        let (ret, name, params) = split_proto(proto);
        assert!(name.starts_with("sable_"), "cannot parse {proto}");
        src.push_str(&format!("{ret}(*check_{name}){params} = {name};\n"));
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    compile_check(&cc, &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"], &src, "core_types.c");
    // The check can fail: a pointer of another type is rejected.
    let wrong = "#include <sable.h>\nsable_status (*check)(sable_context *ctx, sable_value v, float *out) = sable_to_number;\n";
    assert!(!compiles(&cc, &["-std=c11", "-Werror"], wrong, "core_types_wrong.c"), "the C compiler accepted a mismatched function pointer");
}

#[test]
fn every_header_function_is_exported() {
    // The C tests link the static library; here we only make sure that the
    // Rust side defines a symbol for every declared function.
    let header = header_text();
    let declared: Vec<&str> = header
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '('))
        .filter_map(|w| w.strip_suffix('('))
        .filter(|w| w.starts_with("sable_"))
        .collect();
    let sources: String = std::fs::read_dir(root().join("src/capi")).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    for name in declared {
        assert!(sources.contains(&format!("fn {name}(")), "{name} is declared but not defined in src/capi");
    }
}

// ---------------------------------------------------------------------------
// (d) the headers compile as C and as C++
// ---------------------------------------------------------------------------

fn compile_check(compiler: &str, args: &[&str], src: &str, file: &str) {
    let out = syntax_only(compiler, args, src, file);
    assert!(out.status.success(), "{compiler} rejected {file}:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
}

fn compiles(compiler: &str, args: &[&str], src: &str, file: &str) -> bool {
    syntax_only(compiler, args, src, file).status.success()
}

/// `compiler -fsyntax-only` on `src`, written to `file` in the test's
/// temporary directory, with include/ on the include path.
fn syntax_only(compiler: &str, args: &[&str], src: &str, file: &str) -> std::process::Output {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("header-check");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, src).unwrap();
    Command::new(compiler)
        .args(args)
        .arg("-I")
        .arg(root().join("include"))
        .arg("-fsyntax-only")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"))
}

#[test]
fn header_compiles_as_c() {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let src = "#include <sable.h>\n#include <sable.h>\nint main(void) { return SABLE_ABI_VERSION == 1 ? 0 : 1; }\n";
    compile_check(&cc, &["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"], src, "c99.c");
    compile_check(&cc, &["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic"], src, "c11.c");
}

#[test]
fn headers_compile_as_cpp() {
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let src = "#include <sable.h>\n#include <sable.hpp>\nint main() { return SABLE_ABI_VERSION == 1 ? 0 : 1; }\n";
    compile_check(&cxx, &["-std=c++17", "-Wall", "-Wextra", "-Werror", "-pedantic"], src, "cpp17.cpp");
}
