//! Checks `include/sable.h`: it is exactly what cbindgen generates from
//! `src/capi`, its structs have the layout of the Rust definitions (read back
//! through bindgen/libclang), it declares every Core function of API.md with
//! the contract's signature, and it compiles as C and C++ (with sable.hpp).

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
// (b) struct layouts and constants, read back through bindgen
// ---------------------------------------------------------------------------

#[derive(Debug, Default, PartialEq, Eq)]
struct Layout {
    size: Option<usize>,
    align: Option<usize>,
    fields: BTreeMap<String, usize>,
}

/// Parses the layout assertions bindgen emits, e.g.
/// `["Size of T"][::std::mem::size_of::<T>() - 24usize];`, from bindgen's
/// output with all whitespace removed.
fn parse_layouts(code: &str) -> BTreeMap<String, Layout> {
    let mut out: BTreeMap<String, Layout> = BTreeMap::new();
    let num_after = |s: &str| -> usize {
        let s = s.trim_start_matches('-');
        let end = s.find("usize").expect("usize literal");
        s[..end].parse().expect("layout number")
    };
    for (pat, kind) in [("::std::mem::size_of::<", 0), ("::std::mem::align_of::<", 1)] {
        let mut rest = code;
        while let Some(i) = rest.find(pat) {
            rest = &rest[i + pat.len()..];
            let close = rest.find('>').unwrap();
            let name = rest[..close].to_string();
            let after = &rest[close..];
            let n = num_after(&after[after.find(")-").unwrap() + 1..]);
            let l = out.entry(name).or_default();
            if kind == 0 {
                l.size = Some(n);
            } else {
                l.align = Some(n);
            }
        }
    }
    let pat = "::std::mem::offset_of!(";
    let mut rest = code;
    while let Some(i) = rest.find(pat) {
        rest = &rest[i + pat.len()..];
        let close = rest.find(')').unwrap();
        let (ty, field) = rest[..close].split_once(',').unwrap();
        let n = num_after(&rest[close + 1..]);
        out.entry(ty.to_string()).or_default().fields.insert(field.to_string(), n);
    }
    out
}

/// `pub const NAME: TYPE = VALUE;` items of bindgen's output (whitespace removed).
fn parse_consts(code: &str) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for item in code.split(';') {
        let Some(rest) = item.strip_prefix("pubconst").or_else(|| item.split("pubconst").nth(1)) else {
            continue;
        };
        let Some((name_ty, value)) = rest.split_once('=') else {
            continue;
        };
        let name = name_ty.split(':').next().unwrap().to_string();
        let digits: String = value.chars().take_while(|c| c.is_ascii_digit() || *c == '-').collect();
        if let Ok(v) = digits.parse() {
            out.insert(name, v);
        }
    }
    out
}

macro_rules! rust_layout {
    ($t:ident { $($f:ident),* $(,)? }) => {
        (
            stringify!($t).to_string(),
            Layout {
                size: Some(std::mem::size_of::<capi::$t>()),
                align: Some(std::mem::align_of::<capi::$t>()),
                fields: [$((stringify!($f).to_string(), std::mem::offset_of!(capi::$t, $f))),*]
                    .into_iter()
                    .collect(),
            },
        )
    };
}

fn bindgen_output() -> String {
    let bindings = bindgen::Builder::default()
        .header(root().join("include/sable.h").to_str().unwrap())
        .allowlist_item("sable_.*|SABLE_.*")
        .layout_tests(true)
        .generate_comments(false)
        .formatter(bindgen::Formatter::None)
        .generate()
        .expect("bindgen failed (it needs libclang: apt-get install libclang-dev)");
    bindings.to_string().split_whitespace().collect()
}

#[test]
fn header_struct_layouts_match_rust() {
    let code = bindgen_output();
    let c = parse_layouts(&code);
    let rust = [
        rust_layout!(sable_isolate_params { struct_size, heap_limit_bytes, stack_limit_bytes, allocator }),
        rust_layout!(sable_allocator { alloc, free, user }),
        rust_layout!(sable_heap_statistics {
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
    ];
    for (name, r) in rust {
        let h = c.get(&name).unwrap_or_else(|| panic!("bindgen found no layout for {name} in include/sable.h"));
        assert_eq!(h, &r, "layout of {name}: header (left) vs Rust sable::capi (right)");
    }
    // Every public struct of the header has been checked.
    let mut checked: Vec<&str> = vec!["sable_isolate_params", "sable_allocator", "sable_heap_statistics"];
    checked.sort();
    let mut found: Vec<&str> = c.keys().map(String::as_str).collect();
    found.sort();
    assert_eq!(found, checked, "structs with a layout in the header");
}

#[test]
fn header_constants_match_rust() {
    let consts = parse_consts(&bindgen_output());
    assert_eq!(consts.get("SABLE_ABI_VERSION"), Some(&i64::from(capi::SABLE_ABI_VERSION)));
    use capi::sable_status::*;
    for s in [SABLE_OK, SABLE_EXCEPTION, SABLE_TERMINATED, SABLE_OUT_OF_MEMORY, SABLE_INVALID_ARGUMENT, SABLE_INTERNAL_ERROR, SABLE_ABORTED, SABLE_IO_ERROR] {
        let name = format!("sable_status_{s:?}");
        assert_eq!(consts.get(&name), Some(&(s as i64)), "{name}");
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
        let name = format!("sable_type_{t:?}");
        assert_eq!(consts.get(&name), Some(&(t as i64)), "{name}");
    }
    use capi::sable_error_kind::*;
    for k in [SABLE_ERROR, SABLE_TYPE_ERROR, SABLE_RANGE_ERROR, SABLE_SYNTAX_ERROR, SABLE_REFERENCE_ERROR, SABLE_EVAL_ERROR, SABLE_URI_ERROR] {
        let name = format!("sable_error_kind_{k:?}");
        assert_eq!(consts.get(&name), Some(&(k as i64)), "{name}");
    }
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
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("header-check");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, src).unwrap();
    let out = Command::new(compiler)
        .args(args)
        .arg("-I")
        .arg(root().join("include"))
        .arg("-fsyntax-only")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(out.status.success(), "{compiler} rejected {file}:\n{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
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
