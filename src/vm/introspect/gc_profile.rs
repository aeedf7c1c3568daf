//! Statistics and GC profiles as documents with Node's keys, in Node's
//! order: written as JSON (C hosts) or turned into JS objects (`v8` module).

use crate::vm::heap::{HeapStatistics, SpaceStatistics};
use crate::vm::introspect::CodeStatistics;
use crate::vm::runtime::heap_hooks::{GcProfile, GcSample};
use crate::vm::runtime::number::number_to_string;

/// A JSON-shaped value with ordered keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Doc {
    Num(f64),
    Str(String),
    List(Vec<Doc>),
    Map(Vec<(&'static str, Doc)>),
}

impl Doc {
    /// Appends the JSON text (numbers as JavaScript prints them).
    pub fn write_json(&self, out: &mut String) {
        match self {
            Doc::Num(n) if n.is_finite() => out.push_str(&number_to_string(*n)),
            Doc::Num(_) => out.push_str("null"),
            Doc::Str(s) => {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                        c => out.push(c),
                    }
                }
                out.push('"');
            }
            Doc::List(items) => {
                out.push('[');
                for (i, d) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    d.write_json(out);
                }
                out.push(']');
            }
            Doc::Map(entries) => {
                out.push('{');
                for (i, (k, d)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(k);
                    out.push_str("\":");
                    d.write_json(out);
                }
                out.push('}');
            }
        }
    }
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        self.write_json(&mut s);
        s
    }
}

fn num(n: usize) -> Doc {
    Doc::Num(n as f64)
}

/// `v8.getHeapStatistics()`.
pub fn heap_statistics_doc(h: &HeapStatistics) -> Doc {
    Doc::Map(vec![
        ("total_heap_size", num(h.total_heap_size)),
        ("total_heap_size_executable", num(h.total_heap_size_executable)),
        ("total_physical_size", num(h.total_physical_size)),
        ("total_available_size", num(h.total_available_size)),
        ("used_heap_size", num(h.used_heap_size)),
        ("heap_size_limit", num(h.heap_size_limit)),
        ("malloced_memory", num(h.malloced_memory)),
        ("peak_malloced_memory", num(h.peak_malloced_memory)),
        ("does_zap_garbage", num(h.does_zap_garbage)),
        ("number_of_native_contexts", num(h.number_of_native_contexts)),
        ("number_of_detached_contexts", num(h.number_of_detached_contexts)),
        ("total_global_handles_size", num(h.total_global_handles_size)),
        ("used_global_handles_size", num(h.used_global_handles_size)),
        ("external_memory", num(h.external_memory)),
    ])
}

/// `v8.getHeapSpaceStatistics()`.
pub fn space_statistics_doc(spaces: &[SpaceStatistics]) -> Doc {
    Doc::List(
        spaces
            .iter()
            .map(|s| {
                Doc::Map(vec![
                    ("space_name", Doc::Str(s.name.to_string())),
                    ("space_size", num(s.size)),
                    ("space_used_size", num(s.used)),
                    ("space_available_size", num(s.available)),
                    ("physical_space_size", num(s.physical)),
                ])
            })
            .collect(),
    )
}

/// `v8.getHeapCodeStatistics()`.
pub fn code_statistics_doc(c: &CodeStatistics) -> Doc {
    Doc::Map(vec![
        ("code_and_metadata_size", num(c.code_and_metadata_size)),
        ("bytecode_and_metadata_size", num(c.bytecode_and_metadata_size)),
        ("external_script_source_size", num(c.external_script_source_size)),
        ("cpu_profiler_metadata_size", num(c.cpu_profiler_metadata_size)),
    ])
}

/// `{heapStatistics, heapSpaceStatistics}` as Node's GC profiler writes them.
fn sample_doc(s: &GcSample) -> Doc {
    let h = &s.heap;
    Doc::Map(vec![
        (
            "heapStatistics",
            Doc::Map(vec![
                ("totalHeapSize", num(h.total_heap_size)),
                ("totalHeapSizeExecutable", num(h.total_heap_size_executable)),
                ("totalPhysicalSize", num(h.total_physical_size)),
                ("totalAvailableSize", num(h.total_available_size)),
                ("totalGlobalHandlesSize", num(h.total_global_handles_size)),
                ("usedGlobalHandlesSize", num(h.used_global_handles_size)),
                ("usedHeapSize", num(h.used_heap_size)),
                ("heapSizeLimit", num(h.heap_size_limit)),
                ("mallocedMemory", num(h.malloced_memory)),
                ("externalMemory", num(h.external_memory)),
                ("peakMallocedMemory", num(h.peak_malloced_memory)),
            ]),
        ),
        (
            "heapSpaceStatistics",
            Doc::List(
                s.spaces
                    .iter()
                    .map(|sp| {
                        Doc::Map(vec![
                            ("spaceName", Doc::Str(sp.name.to_string())),
                            ("spaceSize", num(sp.size)),
                            ("spaceUsedSize", num(sp.used)),
                            ("spaceAvailableSize", num(sp.available)),
                            ("physicalSpaceSize", num(sp.physical)),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

/// The document `GCProfiler.prototype.stop()` returns.
pub fn gc_profile_doc(p: &GcProfile, end_time: u64) -> Doc {
    Doc::Map(vec![
        ("version", Doc::Num(1.0)),
        ("startTime", Doc::Num(p.start_time as f64)),
        (
            "statistics",
            Doc::List(
                p.entries
                    .iter()
                    .map(|e| {
                        Doc::Map(vec![
                            ("gcType", Doc::Str(e.gc_type.profiler_name().to_string())),
                            ("beforeGC", sample_doc(&e.before)),
                            ("cost", Doc::Num(e.cost_us)),
                            ("afterGC", sample_doc(&e.after)),
                        ])
                    })
                    .collect(),
            ),
        ),
        ("endTime", Doc::Num(end_time as f64)),
    ])
}
