//! JS strings: flat one-byte (Latin-1) and two-byte (UTF-16) cells with inline
//! data, ropes for concatenation (flattened on demand), the atom table, symbols.

use std::cell::Cell as StdCell;
use std::collections::HashMap;

use crate::impl_cell;
use crate::vm::heap::{CellHeader, CellKind, EdgeKind, EdgeName, Gc, Heap, Space, Trace, Visitor, header_for};
use crate::vm::value::Value;

const ONE_BYTE: u32 = 1;
const ATOM: u32 = 2;
const ROPE: u32 = 4;
const FLATTENED: u32 = 8;
/// The characters belong to the host (an [`ExternalChars`] record follows the
/// fixed part instead of inline data).
const EXTERNAL: u32 = 16;

/// A host-owned external string's characters and who releases them.
#[repr(C)]
struct ExternalChars {
    data: *const u8,
    finalizer: Option<unsafe extern "C" fn(*mut std::ffi::c_void)>,
    user: *mut std::ffi::c_void,
}

/// The host's release function for an external string, with its data pointer.
pub type ExternalFinalizer = (unsafe extern "C" fn(*mut std::ffi::c_void), *mut std::ffi::c_void);

/// Strings shorter than this are copied on concatenation instead of roped.
const MIN_ROPE_LENGTH: usize = 24;
/// V8's maximum string length (2^29 - 24 code units).
pub(crate) const MAX_STRING_LENGTH: usize = (1 << 29) - 24;

#[repr(C)]
pub struct JsString {
    header: CellHeader,
    len: u32,
    flags: StdCell<u32>,
    hash: StdCell<u32>,
    /// Rope halves; after flattening `left` holds the flat copy and `right` is None.
    left: StdCell<Option<Gc<JsString>>>,
    right: StdCell<Option<Gc<JsString>>>,
    // Flat strings: `len` bytes (one-byte) or `len` u16 (two-byte) follow.
}
impl_cell!(JsString, CellKind::String, "String");

impl Trace for JsString {
    fn external_size(&self) -> usize {
        if self.flags.get() & EXTERNAL != 0 { self.len as usize } else { 0 }
    }
    fn trace(&self, v: &mut dyn Visitor) {
        if let Some(l) = self.left.get() {
            v.edge(EdgeKind::Internal, EdgeName::Str("first"), l.value());
        }
        if let Some(r) = self.right.get() {
            v.edge(EdgeKind::Internal, EdgeName::Str("second"), r.value());
        }
    }
}

impl Drop for JsString {
    /// An external string hands its characters back to the host.
    fn drop(&mut self) {
        if self.flags.get() & EXTERNAL != 0 {
            // SAFETY: the record was written at creation; the finalizer is the
            // host's, called once, with the host's own data pointer.
            unsafe {
                let record = &*self.external_chars();
                if let Some(f) = record.finalizer {
                    f(record.user);
                }
            }
        }
    }
}

/// A borrowed view of flat string contents.
#[derive(Clone, Copy)]
pub enum StrView<'a> {
    OneByte(&'a [u8]),
    TwoByte(&'a [u16]),
}

impl StrView<'_> {
    pub fn len(&self) -> usize {
        match self {
            StrView::OneByte(b) => b.len(),
            StrView::TwoByte(w) => w.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    #[inline]
    pub fn at(&self, i: usize) -> u16 {
        match self {
            StrView::OneByte(b) => b[i] as u16,
            StrView::TwoByte(w) => w[i],
        }
    }
    pub fn to_units(&self) -> Vec<u16> {
        match self {
            StrView::OneByte(b) => b.iter().map(|&c| c as u16).collect(),
            StrView::TwoByte(w) => w.to_vec(),
        }
    }
    /// UTF-8 with lone surrogates replaced by U+FFFD.
    pub fn to_rust_string(&self) -> String {
        match self {
            // ASCII is UTF-8 as it is: one copy.
            StrView::OneByte(b) if b.is_ascii() => String::from_utf8_lossy(b).into_owned(),
            StrView::OneByte(b) => b.iter().map(|&c| c as char).collect(),
            StrView::TwoByte(w) => String::from_utf16_lossy(w),
        }
    }
}

pub fn hash_units(units: impl Iterator<Item = u16>) -> u32 {
    // FNV-1a over code units; 0 is reserved for "not computed".
    let mut h: u32 = 0x811c_9dc5;
    for u in units {
        h ^= u as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    if h == 0 { 1 } else { h }
}

impl JsString {
    fn alloc_flat(heap: &mut Heap, len: usize, one_byte: bool) -> Gc<JsString> {
        let data = if one_byte { len } else { len * 2 };
        let size = std::mem::size_of::<JsString>() + data;
        let space = if size > crate::vm::heap::LARGE_OBJECT_THRESHOLD { Space::Large } else { Space::Old };
        let p = heap.alloc_raw(space, size).cast::<JsString>();
        // SAFETY: fresh memory of `size` bytes; we write the fixed part now and
        // the caller fills the inline data before any safepoint.
        unsafe {
            p.as_ptr().write(JsString {
                header: header_for::<JsString>(),
                len: len as u32,
                flags: StdCell::new(if one_byte { ONE_BYTE } else { 0 }),
                hash: StdCell::new(0),
                left: StdCell::new(None),
                right: StdCell::new(None),
            });
            Gc::from_raw(p)
        }
    }

    fn data_ptr(&self) -> *mut u8 {
        if self.flags.get() & EXTERNAL != 0 {
            // SAFETY: external strings carry an ExternalChars record after the fixed part.
            return unsafe { (*self.external_chars()).data as *mut u8 };
        }
        // SAFETY: the inline data directly follows the fixed part of a flat string.
        unsafe { (self as *const JsString as *mut u8).add(std::mem::size_of::<JsString>()) }
    }

    /// Whether the characters are host-owned.
    pub fn is_external(&self) -> bool {
        self.flags.get() & EXTERNAL != 0
    }

    fn external_chars(&self) -> *const ExternalChars {
        // SAFETY: only called on external strings, whose record follows the fixed part.
        unsafe { (self as *const JsString as *const u8).add(std::mem::size_of::<JsString>()) as *const ExternalChars }
    }

    /// A one-byte (Latin-1) string whose `len` characters stay in host memory
    /// at `data` until the string is collected; then `finalizer` (if any) is
    /// called once with its data pointer. `len` must not exceed the maximum
    /// string length.
    ///
    /// # Safety
    /// `data` must stay valid and unchanged for `len` bytes until the finalizer
    /// runs (or the isolate is disposed, which also runs it).
    pub unsafe fn new_external_one_byte(heap: &mut Heap, data: *const u8, len: usize, finalizer: Option<ExternalFinalizer>) -> Gc<JsString> {
        let size = std::mem::size_of::<JsString>() + std::mem::size_of::<ExternalChars>();
        heap.external_bytes += len;
        let p = heap.alloc_raw(Space::Old, size).cast::<JsString>();
        // SAFETY: fresh memory of `size` bytes: the fixed part, then the record.
        unsafe {
            p.as_ptr().write(JsString {
                header: header_for::<JsString>(),
                len: len as u32,
                flags: StdCell::new(ONE_BYTE | EXTERNAL),
                hash: StdCell::new(0),
                left: StdCell::new(None),
                right: StdCell::new(None),
            });
            let record = (p.as_ptr() as *mut u8).add(std::mem::size_of::<JsString>()) as *mut ExternalChars;
            record.write(ExternalChars {
                data: if len == 0 { std::ptr::NonNull::dangling().as_ptr() } else { data },
                finalizer: finalizer.map(|f| f.0),
                user: finalizer.map_or(std::ptr::null_mut(), |f| f.1),
            });
            Gc::from_raw(p)
        }
    }

    pub fn from_latin1(heap: &mut Heap, bytes: &[u8]) -> Gc<JsString> {
        let s = Self::alloc_flat(heap, bytes.len(), true);
        // SAFETY: the cell has room for bytes.len() inline bytes.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), s.data_ptr(), bytes.len()) };
        s
    }

    /// A flat string from UTF-16; stored one-byte when every unit fits in Latin-1,
    /// so equal contents always have equal representations.
    pub fn from_units(heap: &mut Heap, units: &[u16]) -> Gc<JsString> {
        if units.iter().all(|&u| u <= 0xFF) {
            let s = Self::alloc_flat(heap, units.len(), true);
            for (i, &u) in units.iter().enumerate() {
                // SAFETY: i < len, inside the inline data.
                unsafe { *s.data_ptr().add(i) = u as u8 };
            }
            return s;
        }
        let s = Self::alloc_flat(heap, units.len(), false);
        // SAFETY: the cell has room for len u16 units; data is 2-aligned (header is 8-aligned).
        unsafe { std::ptr::copy_nonoverlapping(units.as_ptr(), s.data_ptr() as *mut u16, units.len()) };
        s
    }

    pub fn from_str(heap: &mut Heap, s: &str) -> Gc<JsString> {
        if s.is_ascii() {
            return Self::from_latin1(heap, s.as_bytes());
        }
        let units: Vec<u16> = s.encode_utf16().collect();
        Self::from_units(heap, &units)
    }

    /// `a + b` without copying long operands (a rope).
    pub fn concat(heap: &mut Heap, a: Gc<JsString>, b: Gc<JsString>) -> Gc<JsString> {
        if a.len == 0 {
            return b;
        }
        if b.len == 0 {
            return a;
        }
        let len = a.len as usize + b.len as usize;
        if len < MIN_ROPE_LENGTH {
            let mut units = a.to_units();
            units.extend(b.to_units());
            return Self::from_units(heap, &units);
        }
        let one_byte = a.is_one_byte() && b.is_one_byte();
        heap.alloc(
            Space::Old,
            JsString {
                header: header_for::<JsString>(),
                len: len as u32,
                flags: StdCell::new(ROPE | if one_byte { ONE_BYTE } else { 0 }),
                hash: StdCell::new(0),
                left: StdCell::new(Some(a)),
                right: StdCell::new(Some(b)),
            },
        )
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    #[inline]
    pub fn is_one_byte(&self) -> bool {
        self.flags.get() & ONE_BYTE != 0
    }
    #[inline]
    pub fn is_atom(&self) -> bool {
        self.flags.get() & ATOM != 0
    }
    #[inline]
    pub fn is_rope(&self) -> bool {
        self.flags.get() & ROPE != 0
    }

    /// The flat contents; `None` for an unflattened rope (use [`JsString::flatten`]).
    pub fn view(&self) -> Option<StrView<'_>> {
        if self.is_rope() {
            if self.flags.get() & FLATTENED != 0 {
                // SAFETY: after flattening `left` is a flat string that this rope keeps alive.
                let flat = self.left.get().unwrap();
                return unsafe { (*flat.as_ptr()).view() };
            }
            return None;
        }
        let len = self.len as usize;
        // SAFETY: a flat string's inline data holds `len` units of its width.
        unsafe {
            Some(if self.is_one_byte() {
                StrView::OneByte(std::slice::from_raw_parts(self.data_ptr(), len))
            } else {
                StrView::TwoByte(std::slice::from_raw_parts(self.data_ptr() as *const u16, len))
            })
        }
    }
}

impl Gc<JsString> {
    /// Flattens a rope in place (caching the flat copy) and returns the view.
    pub fn flatten(self, heap: &mut Heap) -> StrView<'static> {
        if self.view().is_none() {
            let units = self.to_units();
            let flat = JsString::from_units(heap, &units);
            self.left.set(Some(flat));
            self.right.set(None);
            self.flags.set(self.flags.get() | FLATTENED);
        }
        // SAFETY: the view borrows cell memory that lives as long as the string is
        // reachable; callers use it before the next safepoint.
        unsafe { std::mem::transmute::<StrView<'_>, StrView<'static>>(self.view().unwrap()) }
    }
}

impl JsString {
    /// All code units, walking ropes without allocating in the GC heap.
    pub fn to_units(&self) -> Vec<u16> {
        let mut out = Vec::with_capacity(self.len());
        let mut stack: Vec<*const JsString> = vec![self as *const JsString];
        while let Some(s) = stack.pop() {
            // SAFETY: rope parts are live as long as the root string is.
            let s = unsafe { &*s };
            match s.view() {
                Some(StrView::OneByte(b)) => out.extend(b.iter().map(|&c| c as u16)),
                Some(StrView::TwoByte(w)) => out.extend_from_slice(w),
                None => {
                    stack.push(s.right.get().unwrap().as_ptr());
                    stack.push(s.left.get().unwrap().as_ptr());
                }
            }
        }
        out
    }

    pub fn to_rust_string(&self) -> String {
        match self.view() {
            Some(v) => v.to_rust_string(),
            None => String::from_utf16_lossy(&self.to_units()),
        }
    }

    pub fn hash_code(&self) -> u32 {
        let h = self.hash.get();
        if h != 0 {
            return h;
        }
        let h = match self.view() {
            Some(StrView::OneByte(b)) => hash_units(b.iter().map(|&c| c as u16)),
            Some(StrView::TwoByte(w)) => hash_units(w.iter().copied()),
            None => hash_units(self.to_units().into_iter()),
        };
        self.hash.set(h);
        h
    }

    /// Content equality.
    pub fn equals(&self, other: &JsString) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        if self.len != other.len || (self.is_atom() && other.is_atom()) {
            return false;
        }
        match (self.view(), other.view()) {
            (Some(StrView::OneByte(a)), Some(StrView::OneByte(b))) => a == b,
            (Some(StrView::TwoByte(a)), Some(StrView::TwoByte(b))) => a == b,
            (Some(_), Some(_)) => false,
            _ => self.to_units() == other.to_units(),
        }
    }

    pub fn equals_units(&self, units: &[u16]) -> bool {
        match self.view() {
            Some(StrView::OneByte(b)) => b.len() == units.len() && b.iter().zip(units).all(|(&a, &u)| a as u16 == u),
            Some(StrView::TwoByte(w)) => w == units,
            None => self.to_units() == units,
        }
    }

    /// Code unit at `i` (the string must be flat or flattened).
    pub fn unit_at(&self, i: usize) -> u16 {
        match self.view() {
            Some(v) => v.at(i),
            None => self.to_units()[i],
        }
    }

    /// If this string is a canonical array index ("0", "17", not "017"), that index.
    pub fn as_array_index(&self) -> Option<u32> {
        let len = self.len();
        if len == 0 || len > 10 {
            return None;
        }
        let first = self.unit_at(0);
        if first == b'0' as u16 && len > 1 {
            return None;
        }
        let mut n: u64 = 0;
        for i in 0..len {
            let c = self.unit_at(i);
            if !(b'0' as u16..=b'9' as u16).contains(&c) {
                return None;
            }
            n = n * 10 + (c - b'0' as u16) as u64;
        }
        if n < u32::MAX as u64 { Some(n as u32) } else { None }
    }
}

/// Symbols: a unique identity with an optional description.
#[repr(C)]
pub struct Symbol {
    header: CellHeader,
    /// A string or undefined.
    pub description: Value,
    /// Registered with `Symbol.for` (its key is the description).
    pub registered: bool,
}
impl_cell!(Symbol, CellKind::Symbol, "Symbol");

impl Trace for Symbol {
    fn trace(&self, v: &mut dyn Visitor) {
        v.edge(EdgeKind::Internal, EdgeName::Str("name"), self.description);
    }
}

impl Symbol {
    pub fn new(heap: &mut Heap, description: Value) -> Gc<Symbol> {
        heap.alloc(Space::Old, Symbol { header: header_for::<Symbol>(), description, registered: false })
    }
}

/// Interned strings used as property keys. Weak: dead atoms are removed before sweep.
#[derive(Default)]
pub struct AtomTable {
    buckets: HashMap<u32, Vec<Gc<JsString>>>,
}

impl AtomTable {
    pub fn intern_units(&mut self, heap: &mut Heap, units: &[u16]) -> Gc<JsString> {
        let h = hash_units(units.iter().copied());
        if let Some(list) = self.buckets.get(&h) {
            for &s in list {
                if s.equals_units(units) {
                    return s;
                }
            }
        }
        let s = JsString::from_units(heap, units);
        s.hash.set(h);
        s.flags.set(s.flags.get() | ATOM);
        self.buckets.entry(h).or_default().push(s);
        s
    }

    pub fn intern_str(&mut self, heap: &mut Heap, s: &str) -> Gc<JsString> {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.intern_units(heap, &units)
    }

    /// The atom for an existing string (returns it if it already is one).
    pub fn intern(&mut self, heap: &mut Heap, s: Gc<JsString>) -> Gc<JsString> {
        if s.is_atom() {
            return s;
        }
        let h = s.hash_code();
        if let Some(list) = self.buckets.get(&h) {
            for &a in list {
                if a.equals(&s) {
                    return a;
                }
            }
        }
        if !s.is_rope() {
            s.flags.set(s.flags.get() | ATOM);
            self.buckets.entry(h).or_default().push(s);
            return s;
        }
        let units = s.to_units();
        self.intern_units(heap, &units)
    }

    /// Drops atoms the collector did not mark.
    pub fn sweep(&mut self, heap: &Heap) {
        self.buckets.retain(|_, list| {
            list.retain(|s| heap.is_marked(s.header()));
            !list.is_empty()
        });
    }

    pub fn len(&self) -> usize {
        self.buckets.values().map(Vec::len).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}
