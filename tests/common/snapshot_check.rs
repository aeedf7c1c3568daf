//! A strict structural check of `.heapsnapshot` files, the same rules as the
//! shared validator's `heap-structural.js` (sections in DevTools' streaming
//! order with `strings` last, uint32 arrays, counts that agree, valid types,
//! string indexes and `to_node` offsets, unique ids, every node reachable
//! from the root without weak edges), plus the numbers tests assert on.
//! Runs without node; the shared validator (memlab, DevTools) is run by hand
//! for the issue notes.

#![allow(dead_code)]

use std::collections::HashMap;

/// A parsed JSON value (only what snapshots contain).
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    pub fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => panic!("not an array: {self:?}"),
        }
    }
    pub fn str(&self) -> &str {
        match self {
            Json::Str(s) => s,
            _ => panic!("not a string: {self:?}"),
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }
    fn err(&self, what: &str) -> String {
        format!("JSON: {what} at byte {}", self.i)
    }
    fn value(&mut self) -> Result<Json, String> {
        self.ws();
        let Some(&c) = self.b.get(self.i) else { return Err(self.err("unexpected end")) };
        match c {
            b'{' => {
                self.i += 1;
                let mut m = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(m));
                }
                loop {
                    self.ws();
                    let Json::Str(k) = self.value()? else { return Err(self.err("object key")) };
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return Err(self.err("expected ':'"));
                    }
                    self.i += 1;
                    let v = self.value()?;
                    m.push((k, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(m));
                        }
                        _ => return Err(self.err("expected ',' or '}'")),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(a));
                }
                loop {
                    a.push(self.value()?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(a));
                        }
                        _ => return Err(self.err("expected ',' or ']'")),
                    }
                }
            }
            b'"' => {
                self.i += 1;
                let mut units: Vec<u16> = Vec::new();
                loop {
                    let Some(&c) = self.b.get(self.i) else { return Err(self.err("unterminated string")) };
                    self.i += 1;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = *self.b.get(self.i).ok_or_else(|| self.err("escape"))?;
                            self.i += 1;
                            match e {
                                b'"' | b'\\' | b'/' => units.push(e as u16),
                                b'b' => units.push(8),
                                b'f' => units.push(12),
                                b'n' => units.push(10),
                                b'r' => units.push(13),
                                b't' => units.push(9),
                                b'u' => {
                                    let hex =
                                        std::str::from_utf8(self.b.get(self.i..self.i + 4).ok_or_else(|| self.err("\\u"))?).map_err(|_| self.err("\\u"))?;
                                    units.push(u16::from_str_radix(hex, 16).map_err(|_| self.err("\\u hex"))?);
                                    self.i += 4;
                                }
                                _ => return Err(self.err("bad escape")),
                            }
                        }
                        c if c < 0x20 => return Err(self.err("control character in string")),
                        c if c >= 0x80 => return Err(self.err("non-ASCII byte (V8 writes pure ASCII)")),
                        c => units.push(c as u16),
                    }
                }
                Ok(Json::Str(String::from_utf16_lossy(&units)))
            }
            b't' if self.b[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            b'f' if self.b[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            b'n' if self.b[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            _ => {
                let start = self.i;
                while self.i < self.b.len() && matches!(self.b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.b[start..self.i]).unwrap();
                text.parse::<f64>().map(Json::Num).map_err(|_| self.err("bad number"))
            }
        }
    }
}

pub fn parse_json(bytes: &[u8]) -> Result<Json, String> {
    let mut p = Parser { b: bytes, i: 0 };
    let v = p.value()?;
    p.ws();
    if p.i != bytes.len() {
        return Err(p.err("trailing bytes"));
    }
    Ok(v)
}

/// A checked snapshot.
pub struct Snapshot {
    pub node_fields: usize,
    pub nodes: Vec<u32>,
    pub edges: Vec<u32>,
    pub strings: Vec<String>,
    pub node_types: Vec<String>,
    pub edge_types: Vec<String>,
    pub locations: Vec<u32>,
}

impl Snapshot {
    pub fn node_count(&self) -> usize {
        self.nodes.len() / self.node_fields
    }
    pub fn node_type(&self, n: usize) -> &str {
        &self.node_types[self.nodes[n * self.node_fields] as usize]
    }
    pub fn node_name(&self, n: usize) -> &str {
        &self.strings[self.nodes[n * self.node_fields + 1] as usize]
    }
    pub fn node_id(&self, n: usize) -> u32 {
        self.nodes[n * self.node_fields + 2]
    }
    pub fn self_size(&self, n: usize) -> u64 {
        self.nodes[n * self.node_fields + 3] as u64
    }
    /// Nodes of type `ty` named `name`.
    pub fn count(&self, ty: &str, name: &str) -> usize {
        (0..self.node_count()).filter(|&n| self.node_type(n) == ty && self.node_name(n) == name).count()
    }
    /// First edge index (into `edges` / 3) of each node, plus the end.
    pub fn first_edges(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.node_count() + 1);
        let mut e = 0;
        for n in 0..self.node_count() {
            out.push(e);
            e += self.nodes[n * self.node_fields + 4] as usize;
        }
        out.push(e);
        out
    }
    /// Outgoing edges of node `n`: (type name, name or index as text, target node).
    pub fn edges_of(&self, n: usize, first: &[usize]) -> Vec<(String, String, usize)> {
        (first[n]..first[n + 1])
            .map(|e| {
                let ty = self.edge_types[self.edges[e * 3] as usize].clone();
                let raw = self.edges[e * 3 + 1];
                let name = if ty == "element" || ty == "hidden" { raw.to_string() } else { self.strings[raw as usize].clone() };
                (ty, name, self.edges[e * 3 + 2] as usize / self.node_fields)
            })
            .collect()
    }
    /// Ids of the nodes of type `ty` named `name`.
    pub fn ids_of(&self, ty: &str, name: &str) -> Vec<u32> {
        (0..self.node_count()).filter(|&n| self.node_type(n) == ty && self.node_name(n) == name).map(|n| self.node_id(n)).collect()
    }
}

fn uints(v: &Json, what: &str) -> Result<Vec<u32>, String> {
    v.arr()
        .iter()
        .map(|x| match x {
            Json::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n <= u32::MAX as f64 => Ok(*n as u32),
            _ => Err(format!("{what}: {x:?} is not a uint32")),
        })
        .collect()
}

/// Parses and checks a snapshot; an error names the first broken rule.
pub fn check_snapshot(bytes: &[u8]) -> Result<Snapshot, String> {
    let top = parse_json(bytes)?;
    let Json::Obj(sections) = &top else { return Err("top level is not an object".into()) };
    let order: Vec<&str> = sections.iter().map(|(k, _)| k.as_str()).collect();
    let expected = ["snapshot", "nodes", "edges", "trace_function_infos", "trace_tree", "samples", "locations", "strings"];
    if order != expected {
        return Err(format!("sections {order:?}, expected {expected:?}"));
    }
    let snap = top.get("snapshot").unwrap();
    let meta = snap.get("meta").ok_or("no meta")?;
    let node_fields: Vec<&str> = meta.get("node_fields").ok_or("no node_fields")?.arr().iter().map(Json::str).collect();
    if node_fields != ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"] {
        return Err(format!("node_fields {node_fields:?}"));
    }
    let node_types: Vec<String> = meta.get("node_types").unwrap().arr()[0].arr().iter().map(|s| s.str().to_string()).collect();
    let edge_types: Vec<String> = meta.get("edge_types").unwrap().arr()[0].arr().iter().map(|s| s.str().to_string()).collect();
    for key in ["edge_fields", "trace_function_info_fields", "trace_node_fields", "sample_fields", "location_fields"] {
        meta.get(key).ok_or(format!("meta.{key} missing"))?;
    }
    let num = |k: &str| match snap.get(k) {
        Some(Json::Num(n)) => Ok(*n as usize),
        _ => Err(format!("snapshot.{k} missing")),
    };
    let (node_count, edge_count) = (num("node_count")?, num("edge_count")?);
    num("trace_function_count")?;
    let nodes = uints(top.get("nodes").unwrap(), "nodes")?;
    let edges = uints(top.get("edges").unwrap(), "edges")?;
    let locations = uints(top.get("locations").unwrap(), "locations")?;
    let strings: Vec<String> = top.get("strings").unwrap().arr().iter().map(|s| s.str().to_string()).collect();
    let nf = node_fields.len();
    if nodes.len() != node_count * nf {
        return Err(format!("nodes.length {} != node_count {node_count} * {nf}", nodes.len()));
    }
    if edges.len() != edge_count * 3 {
        return Err(format!("edges.length {} != edge_count {edge_count} * 3", edges.len()));
    }
    let s = Snapshot { node_fields: nf, nodes, edges, strings, node_types, edge_types, locations };
    let mut sum = 0usize;
    let mut ids = HashMap::new();
    for n in 0..node_count {
        let base = n * nf;
        if s.nodes[base] as usize >= s.node_types.len() {
            return Err(format!("node {n}: type {} out of range", s.nodes[base]));
        }
        if s.nodes[base + 1] as usize >= s.strings.len() {
            return Err(format!("node {n}: name {} out of range", s.nodes[base + 1]));
        }
        if let Some(other) = ids.insert(s.nodes[base + 2], n) {
            return Err(format!("nodes {other} and {n} share id {}", s.nodes[base + 2]));
        }
        sum += s.nodes[base + 4] as usize;
    }
    if sum != edge_count {
        return Err(format!("per-node edge counts sum to {sum}, edge_count is {edge_count}"));
    }
    for e in 0..edge_count {
        let (ty, name, to) = (s.edges[e * 3] as usize, s.edges[e * 3 + 1] as usize, s.edges[e * 3 + 2] as usize);
        let tyname = s.edge_types.get(ty).ok_or(format!("edge {e}: type {ty} out of range"))?;
        if tyname != "element" && tyname != "hidden" && name >= s.strings.len() {
            return Err(format!("edge {e}: name {name} out of range"));
        }
        if to % nf != 0 || to / nf >= node_count {
            return Err(format!("edge {e}: to_node {to} is not a node offset"));
        }
    }
    if !s.locations.len().is_multiple_of(4) {
        return Err("locations length is not a multiple of 4".into());
    }
    for l in s.locations.chunks(4) {
        if !(l[0] as usize).is_multiple_of(nf) || l[0] as usize / nf >= node_count {
            return Err(format!("location object_index {} is not a node offset", l[0]));
        }
    }
    if s.node_type(0) != "synthetic" {
        return Err("node 0 is not the synthetic root".into());
    }
    // Every node reachable from the root over non-weak edges.
    let first = s.first_edges();
    let mut seen = vec![false; node_count];
    let mut stack = vec![0usize];
    seen[0] = true;
    while let Some(n) = stack.pop() {
        for e in first[n]..first[n + 1] {
            if s.edge_types[s.edges[e * 3] as usize] == "weak" {
                continue;
            }
            let to = s.edges[e * 3 + 2] as usize / nf;
            if !seen[to] {
                seen[to] = true;
                stack.push(to);
            }
        }
    }
    if let Some(n) = seen.iter().position(|&r| !r) {
        let unreachable = seen.iter().filter(|&&r| !r).count();
        return Err(format!("{unreachable} nodes unreachable from the root (first: {n}, {} '{}')", s.node_type(n), s.node_name(n)));
    }
    Ok(s)
}

/// Checks the snapshot file at `path`, panicking with the broken rule.
pub fn check_file(path: &std::path::Path) -> Snapshot {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    check_snapshot(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
