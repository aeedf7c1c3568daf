//! Holds the layering of DESIGN.md §1 (and ../shared/architecture.json's
//! "never" rules) against the code: every module path a source file under
//! `src/` names (`use` lines and inline `crate::…` / `super::…` paths) is
//! resolved to an absolute module path and checked against the rules below.
//! A failure names the file, the line, the path and the rule's reason.

use std::path::{Path, PathBuf};

/// A rule: files whose module path starts with `from` must not name a path
/// starting with any of `to` (unless it also starts with `from`).
struct Rule {
    from: &'static str,
    to: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule { from: "vm", to: &["api", "capi", "host"], why: "the vm knows no embedding API or C surface: data flows capi -> api -> vm" },
    Rule {
        from: "vm::heap",
        to: &["vm::object", "vm::builtins", "vm::interp", "vm::runtime", "vm::compiler", "vm::bytecode", "vm::isolate", "vm::bootstrap"],
        why: "the GC knows cells only through Trace and the root visitor",
    },
    Rule { from: "vm::object", to: &["vm::interp", "vm::builtins", "vm::bootstrap", "vm::compiler"], why: "cells know no frames and no builtins" },
    Rule { from: "vm::interp", to: &["vm::builtins", "vm::bootstrap"], why: "the interpreter calls runtime, never a builtin" },
    Rule {
        from: "vm::runtime",
        to: &["vm::builtins", "vm::bootstrap", "vm::interp"],
        why: "runtime sits below the builtins and the interpreter; only the bootstrap knows the builtins",
    },
    Rule { from: "vm::builtins", to: &["vm::interp", "vm::bootstrap"], why: "builtins call functions through runtime, never the interpreter's internals" },
    Rule { from: "vm::compiler", to: &["vm::builtins", "vm::interp", "vm::bootstrap"], why: "the compiler produces bytecode; it runs nothing" },
    Rule { from: "vm::bytecode", to: &["vm::builtins", "vm::interp", "vm::bootstrap", "vm::compiler"], why: "bytecode is data" },
    Rule { from: "host", to: &["capi", "vm"], why: "the shell uses the Rust API" },
    Rule { from: "bin", to: &["capi", "vm"], why: "the shell uses the Rust API" },
    Rule { from: "api", to: &["capi", "host"], why: "capi wraps api, not the other way" },
];

/// The module path of a source file: src/vm/builtins/collections/map.rs ->
/// vm::builtins::collections::map; a mod.rs names its folder.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The builtin family of a module path (vm::builtins::<family>...).
fn builtin_family(module: &[String]) -> Option<&str> {
    (module.len() >= 3 && module[0] == "vm" && module[1] == "builtins").then(|| module[2].as_str())
}

/// Strips // comments (line and doc) and the insides of string literals well
/// enough for path scanning.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            let mut out = String::new();
            let mut in_str = false;
            let b = l.as_bytes();
            let mut j = 0;
            while j < b.len() {
                let c = b[j] as char;
                if !in_str && c == '/' && j + 1 < b.len() && b[j + 1] == b'/' {
                    break;
                }
                if c == '"' && (j == 0 || b[j - 1] != b'\\') {
                    in_str = !in_str;
                }
                if !in_str {
                    out.push(c);
                }
                j += 1;
            }
            (i + 1, out)
        })
        .collect()
}

/// Every absolute module path a line names: `crate::a::b`, `super::x` (resolved
/// against `module`), and brace groups in `use` lines (`use crate::vm::{a, b}`).
fn referenced_paths(line: &str, module: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut starts = Vec::new();
    for pat in ["crate::", "super::", "sable::"] {
        let mut from = 0;
        while let Some(i) = line[from..].find(pat) {
            let at = from + i;
            let prev = line[..at].chars().last();
            if prev.is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != ':') {
                starts.push(at);
            }
            from = at + pat.len();
        }
    }
    for at in starts {
        let rest = &line[at..];
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{' || c == ',' || c == ' ' || c == '}')).unwrap_or(rest.len());
        let path = &rest[..end];
        // Split a brace group into its members.
        let (head, members): (&str, Vec<&str>) = match path.find('{') {
            Some(b) => (&path[..b], path[b + 1..].split(',').map(|m| m.trim().trim_end_matches('}').trim()).collect()),
            None => (path.trim_end_matches([' ', ',', '}']), vec![""]),
        };
        for m in members {
            let full = if m.is_empty() { head.trim_end_matches("::").to_string() } else { format!("{head}{m}") };
            let segs: Vec<&str> = full.split("::").map(str::trim).filter(|s| !s.is_empty()).collect();
            if segs.is_empty() {
                continue;
            }
            let mut base: Vec<String> = Vec::new();
            let mut i = 0;
            match segs[0] {
                "crate" | "sable" => i = 1,
                "super" => {
                    // A file `a/b.rs` is module a::b; `super` is a. A mod.rs is its folder's module.
                    base = module.to_vec();
                    while i < segs.len() && segs[i] == "super" {
                        base.pop();
                        i += 1;
                    }
                }
                _ => continue,
            }
            base.extend(segs[i..].iter().map(|s| s.to_string()));
            if !base.is_empty() {
                out.push(base.join("::"));
            }
        }
    }
    out
}

fn starts_with_path(path: &str, prefix: &str) -> bool {
    path == prefix || path.starts_with(&format!("{prefix}::"))
}

/// The violations in one file's text.
fn check_file(rel: &Path, text: &str) -> Vec<String> {
    let module = module_of(rel);
    let modname = module.join("::");
    let mut errors = Vec::new();
    for (lineno, line) in code_lines(text) {
        for path in referenced_paths(&line, &module) {
            for rule in RULES {
                if !starts_with_path(&modname, rule.from) {
                    continue;
                }
                for to in rule.to {
                    if starts_with_path(&path, to) && !starts_with_path(&path, rule.from) {
                        errors.push(format!("{}:{lineno}: names `{path}`: {} must not use {to} ({})", rel.display(), rule.from, rule.why));
                    }
                }
            }
            // Builtin families: no builtin file uses another family's internals.
            if let (Some(mine), true) = (builtin_family(&module), starts_with_path(&path, "vm::builtins")) {
                let segs: Vec<&str> = path.split("::").collect();
                if let Some(other) = segs.get(2)
                    && *other != mine
                {
                    errors.push(format!(
                        "{}:{lineno}: names `{path}`: builtin family `{mine}` must not use family `{other}` (builtins share code through runtime; only the bootstrap knows every family)",
                        rel.display()
                    ));
                }
            }
        }
    }
    errors
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn source_tree_follows_the_layering_rules() {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    assert!(files.len() > 40, "found only {} source files under {}", files.len(), src.display());
    let mut errors = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        // Unit-test modules (`#[cfg(test)] mod tests`) may assemble the whole
        // engine to run what they test; the rules are about the product.
        if rel.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        errors.extend(check_file(rel, &text));
    }
    assert!(errors.is_empty(), "{} layering violation(s):\n{}", errors.len(), errors.join("\n"));
}

#[test]
fn the_checker_catches_bad_imports() {
    let bad = |file: &str, text: &str| check_file(Path::new(file), text);
    assert_eq!(bad("vm/interp/mod.rs", "use crate::vm::builtins::promise::resolve;").len(), 1);
    assert_eq!(bad("vm/interp/mod.rs", "    let x = crate::vm::builtins::promise::resolve(vm);").len(), 1);
    assert_eq!(bad("vm/heap/mod.rs", "use crate::api::HostAllocator;").len(), 1);
    assert_eq!(bad("vm/isolate.rs", "use super::interp::Frame;").len(), 0);
    assert_eq!(bad("vm/isolate.rs", "use crate::capi::sable_status;").len(), 1);
    assert_eq!(bad("vm/object/function.rs", "use crate::vm::{interp::CallArgs, isolate::Vm};").len(), 1);
    assert_eq!(bad("vm/builtins/date.rs", "use super::array::describe;").len(), 1);
    assert_eq!(bad("vm/builtins/date.rs", "use crate::vm::interp::ops::get_iterator;").len(), 1);
    assert_eq!(bad("vm/builtins/collections/set.rs", "use super::map::set_tag;").len(), 0);
    assert_eq!(bad("vm/builtins/collections/set.rs", "use super::super::array::describe;").len(), 1);
    assert_eq!(bad("vm/runtime/realm.rs", "        crate::vm::builtins::install(vm, realm);").len(), 1);
    assert_eq!(bad("vm/runtime/realm.rs", "  // crate::vm::builtins::install(vm, realm) in a comment").len(), 0);
    assert_eq!(bad("host/mod.rs", "use sable::capi::sable_eval;").len(), 1);
    // Each message carries the rule's reason.
    assert!(bad("vm/interp/mod.rs", "use crate::vm::builtins::promise::resolve;")[0].contains("the interpreter calls runtime"));
}
