//! Sable's process-wide flags (`v8.setFlagsFromString`, `sable_set_flags_from_string`)
//! and the cached-data version tag derived from them.

use std::sync::atomic::{AtomicBool, Ordering};

static TRACE_GC: AtomicBool = AtomicBool::new(false);
static GC_STRESS: AtomicBool = AtomicBool::new(false);
static REGEXP_LINEAR_FIRST: AtomicBool = AtomicBool::new(false);

/// Every flag: its name (with `_`), what it does, and its storage.
const FLAGS: [(&str, &str, &AtomicBool); 3] = [
    ("trace_gc", "print one line per garbage collection (type, pause, heap before and after)", &TRACE_GC),
    ("gc_stress", "collect garbage at every safepoint (isolates created afterwards)", &GC_STRESS),
    (
        "regexp_linear_first",
        "match with the linear-time regexp matcher from the start, not only once backtracking passes its budget (for testing one against the other)",
        &REGEXP_LINEAR_FIRST,
    ),
];

/// Whether `--trace-gc` is on.
pub fn trace_gc() -> bool {
    TRACE_GC.load(Ordering::Relaxed)
}

/// Whether `--gc-stress` is on (read when an isolate is created).
pub fn gc_stress() -> bool {
    GC_STRESS.load(Ordering::Relaxed)
}

/// Whether `--regexp-linear-first` is on.
pub fn regexp_linear_first() -> bool {
    REGEXP_LINEAR_FIRST.load(Ordering::Relaxed)
}

/// Applies flags written as on a command line (`--trace-gc --no-trace_gc`,
/// `--trace-gc=false`). Returns the unrecognized ones; the others still apply.
pub fn set_flags_from_string(text: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    for word in text.split_whitespace() {
        let Some(body) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
            unknown.push(word.to_string());
            continue;
        };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let name = name.replace('-', "_");
        let (name, on) = match (name.strip_prefix("no_").or_else(|| name.strip_prefix("no")), value) {
            (Some(rest), None) if FLAGS.iter().any(|f| f.0 == rest) => (rest.to_string(), false),
            (_, Some("false" | "0")) => (name, false),
            (_, Some("true" | "1") | None) => (name, true),
            _ => {
                unknown.push(word.to_string());
                continue;
            }
        };
        match FLAGS.iter().find(|f| f.0 == name) {
            Some(f) => f.2.store(on, Ordering::Relaxed),
            None => unknown.push(word.to_string()),
        }
    }
    unknown
}

/// Reports unrecognized flags on stderr the way V8 does.
pub fn report_unrecognized(unknown: &[String]) {
    for u in unknown {
        eprintln!("Error: unrecognized flag {u}\nTry --help for options");
    }
}

/// The flags in command-line form, for `--help`-style listings.
pub fn describe() -> Vec<(&'static str, &'static str, bool)> {
    FLAGS.iter().map(|f| (f.0, f.1, f.2.load(Ordering::Relaxed))).collect()
}

/// A 32-bit tag for code-cache compatibility: FNV-1a over the engine version
/// and the value of every flag, so it changes with either.
pub fn cached_data_version_tag() -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h ^= b as u32;
            h = h.wrapping_mul(0x0100_0193);
        }
    };
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    for (name, _, value) in describe() {
        feed(name.as_bytes());
        feed(&[value as u8]);
    }
    h
}
