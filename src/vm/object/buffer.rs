//! Internal slots of ArrayBuffer / SharedArrayBuffer ([[ArrayBufferData]]:
//! engine-owned bytes, host-owned external bytes with a free callback, or
//! detached), typed arrays and DataViews, and the element kinds with their
//! raw byte encodings.

use crate::vm::heap::Gc;

use super::JsObject;

/// Runs when an external backing store dies: gets the pointer and length
/// the host handed over (the C API wraps the host's free callback in it).
pub type ExternalFree = Box<dyn FnOnce(*mut u8, usize)>;

/// Where a buffer's bytes live.
pub enum BufferStore {
    /// Engine-owned bytes (their length is the buffer's byte length).
    Owned(Vec<u8>),
    /// Host-owned bytes, never copied; `free` runs when the buffer dies or
    /// is detached.
    External { ptr: *mut u8, len: usize, free: Option<ExternalFree> },
    /// Detached: no bytes, byte length 0.
    Detached,
}

/// [[ArrayBufferData]] and friends.
pub struct ArrayBufferData {
    pub store: BufferStore,
    /// [[ArrayBufferMaxByteLength]]: `Some` for resizable (growable when shared) buffers.
    pub max_byte_length: Option<usize>,
    /// A SharedArrayBuffer.
    pub shared: bool,
}

impl ArrayBufferData {
    pub fn new_owned(len: usize, max_byte_length: Option<usize>, shared: bool) -> Option<ArrayBufferData> {
        let mut v = Vec::new();
        v.try_reserve_exact(len).ok()?;
        v.resize(len, 0);
        Some(ArrayBufferData { store: BufferStore::Owned(v), max_byte_length, shared })
    }
    pub fn is_detached(&self) -> bool {
        matches!(self.store, BufferStore::Detached)
    }
    pub fn byte_length(&self) -> usize {
        match &self.store {
            BufferStore::Owned(v) => v.len(),
            BufferStore::External { len, .. } => *len,
            BufferStore::Detached => 0,
        }
    }
    pub fn bytes(&self) -> &[u8] {
        match &self.store {
            BufferStore::Owned(v) => v,
            // SAFETY: the host guaranteed `ptr` valid for `len` bytes until `free` runs.
            BufferStore::External { ptr, len, .. } if *len > 0 => unsafe { std::slice::from_raw_parts(*ptr, *len) },
            _ => &[],
        }
    }
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        match &mut self.store {
            BufferStore::Owned(v) => v,
            // SAFETY: as in `bytes`; the buffer object is the only Rust view of the memory.
            BufferStore::External { ptr, len, .. } if *len > 0 => unsafe { std::slice::from_raw_parts_mut(*ptr, *len) },
            _ => &mut [],
        }
    }
    /// The start of the bytes (NULL when detached or empty external).
    pub fn data_ptr(&mut self) -> *mut u8 {
        match &mut self.store {
            BufferStore::Owned(v) => v.as_mut_ptr(),
            BufferStore::External { ptr, .. } => *ptr,
            BufferStore::Detached => std::ptr::null_mut(),
        }
    }
    /// Takes the bytes out (for transfer) and leaves the buffer detached.
    /// External bytes are copied into an owned vector and freed.
    pub fn take_bytes(&mut self) -> Vec<u8> {
        let store = std::mem::replace(&mut self.store, BufferStore::Detached);
        match store {
            BufferStore::Owned(v) => v,
            BufferStore::External { ptr, len, free } => {
                // SAFETY: valid for `len` bytes until `free` runs (below).
                let v = if len > 0 { unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec() } else { Vec::new() };
                if let Some(f) = free {
                    f(ptr, len);
                }
                v
            }
            BufferStore::Detached => Vec::new(),
        }
    }
    /// DetachArrayBuffer: drops the bytes (running an external store's free callback).
    pub fn detach(&mut self) {
        let store = std::mem::replace(&mut self.store, BufferStore::Detached);
        if let BufferStore::External { ptr, len, free: Some(f) } = store {
            f(ptr, len);
        }
    }
    /// Bytes this buffer keeps alive outside the JS heap.
    pub fn external_size(&self) -> usize {
        match &self.store {
            BufferStore::Owned(v) => v.capacity(),
            BufferStore::External { len, .. } => *len,
            BufferStore::Detached => 0,
        }
    }
}

impl Drop for ArrayBufferData {
    fn drop(&mut self) {
        self.detach();
    }
}

/// The element type of a typed array (the table of TypedArray constructors).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ElementKind {
    Int8,
    Uint8,
    Uint8Clamped,
    Int16,
    Uint16,
    Int32,
    Uint32,
    Float16,
    Float32,
    Float64,
    BigInt64,
    BigUint64,
}

impl ElementKind {
    pub const ALL: [ElementKind; 12] = [
        ElementKind::Int8,
        ElementKind::Uint8,
        ElementKind::Uint8Clamped,
        ElementKind::Int16,
        ElementKind::Uint16,
        ElementKind::Int32,
        ElementKind::Uint32,
        ElementKind::Float16,
        ElementKind::Float32,
        ElementKind::Float64,
        ElementKind::BigInt64,
        ElementKind::BigUint64,
    ];
    pub fn size(self) -> usize {
        match self {
            ElementKind::Int8 | ElementKind::Uint8 | ElementKind::Uint8Clamped => 1,
            ElementKind::Int16 | ElementKind::Uint16 | ElementKind::Float16 => 2,
            ElementKind::Int32 | ElementKind::Uint32 | ElementKind::Float32 => 4,
            ElementKind::Float64 | ElementKind::BigInt64 | ElementKind::BigUint64 => 8,
        }
    }
    pub fn is_bigint(self) -> bool {
        matches!(self, ElementKind::BigInt64 | ElementKind::BigUint64)
    }
    /// The constructor's name.
    pub fn name(self) -> &'static str {
        match self {
            ElementKind::Int8 => "Int8Array",
            ElementKind::Uint8 => "Uint8Array",
            ElementKind::Uint8Clamped => "Uint8ClampedArray",
            ElementKind::Int16 => "Int16Array",
            ElementKind::Uint16 => "Uint16Array",
            ElementKind::Int32 => "Int32Array",
            ElementKind::Uint32 => "Uint32Array",
            ElementKind::Float16 => "Float16Array",
            ElementKind::Float32 => "Float32Array",
            ElementKind::Float64 => "Float64Array",
            ElementKind::BigInt64 => "BigInt64Array",
            ElementKind::BigUint64 => "BigUint64Array",
        }
    }
    pub fn from_index(i: usize) -> Option<ElementKind> {
        ElementKind::ALL.get(i).copied()
    }
}

/// A typed array's view of its buffer. `length: None` tracks the buffer's
/// length (a view of a resizable buffer made without a length).
#[derive(Clone, Copy)]
pub struct ViewData {
    pub buffer: Gc<JsObject>,
    pub byte_offset: usize,
    /// Element count (typed arrays) or byte count (DataView); `None` = length-tracking.
    pub length: Option<usize>,
}

/// A number as the bytes of an element (NumericToRawBytes over the already
/// converted value: `bits` is the integer for integer kinds, `d` for floats).
pub fn encode_number(kind: ElementKind, d: f64, out: &mut [u8], little_endian: bool) {
    macro_rules! put {
        ($v:expr) => {{
            let b = if little_endian { $v.to_le_bytes() } else { $v.to_be_bytes() };
            out[..b.len()].copy_from_slice(&b);
        }};
    }
    match kind {
        ElementKind::Int8 | ElementKind::Uint8 => out[0] = crate::vm::runtime::number::to_int32(d) as u8,
        ElementKind::Uint8Clamped => out[0] = clamp_u8(d),
        ElementKind::Int16 | ElementKind::Uint16 => put!(crate::vm::runtime::number::to_int32(d) as u16),
        ElementKind::Int32 | ElementKind::Uint32 => put!(crate::vm::runtime::number::to_int32(d) as u32),
        ElementKind::Float16 => put!(f64_to_f16_bits(d)),
        ElementKind::Float32 => put!(d as f32),
        ElementKind::Float64 => put!(d),
        ElementKind::BigInt64 | ElementKind::BigUint64 => unreachable!("BigInt elements take encode_u64"),
    }
}

/// A 64-bit integer as the bytes of a BigInt64/BigUint64 element.
pub fn encode_u64(v: u64, out: &mut [u8], little_endian: bool) {
    let b = if little_endian { v.to_le_bytes() } else { v.to_be_bytes() };
    out[..8].copy_from_slice(&b);
}

/// The value of a Number element (RawBytesToNumeric for non-BigInt kinds).
pub fn decode_number(kind: ElementKind, b: &[u8], little_endian: bool) -> f64 {
    macro_rules! get {
        ($t:ty, $n:expr) => {{
            let mut a = [0u8; $n];
            a.copy_from_slice(&b[..$n]);
            if little_endian { <$t>::from_le_bytes(a) } else { <$t>::from_be_bytes(a) }
        }};
    }
    match kind {
        ElementKind::Int8 => b[0] as i8 as f64,
        ElementKind::Uint8 | ElementKind::Uint8Clamped => b[0] as f64,
        ElementKind::Int16 => get!(i16, 2) as f64,
        ElementKind::Uint16 => get!(u16, 2) as f64,
        ElementKind::Int32 => get!(i32, 4) as f64,
        ElementKind::Uint32 => get!(u32, 4) as f64,
        ElementKind::Float16 => f16_bits_to_f64(get!(u16, 2)),
        ElementKind::Float32 => get!(f32, 4) as f64,
        ElementKind::Float64 => get!(f64, 8),
        ElementKind::BigInt64 | ElementKind::BigUint64 => unreachable!("BigInt elements take decode_u64"),
    }
}

/// The 64 bits of a BigInt64/BigUint64 element.
pub fn decode_u64(b: &[u8], little_endian: bool) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    if little_endian { u64::from_le_bytes(a) } else { u64::from_be_bytes(a) }
}

/// ToUint8Clamp: clamp to 0..=255, rounding half to even.
fn clamp_u8(d: f64) -> u8 {
    if d.is_nan() || d <= 0.0 {
        return 0;
    }
    if d >= 255.0 {
        return 255;
    }
    let f = d.floor();
    let r = if d - f > 0.5 || (d - f == 0.5 && f % 2.0 != 0.0) { f + 1.0 } else { f };
    r as u8
}

/// IEEE 754 binary16 bits of `d`, rounded to nearest, ties to even
/// (directly from the double, so there is no double rounding through f32).
pub fn f64_to_f16_bits(d: f64) -> u16 {
    let bits = d.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    if d.is_nan() {
        return sign | 0x7E00;
    }
    let a = d.abs();
    if a.is_infinite() || a >= 65520.0 {
        // 65520 is the midpoint between the largest half (65504) and 2^16: rounds up to infinity.
        return sign | 0x7C00;
    }
    if a < 2f64.powi(-25) || a == 0.0 {
        // At or below half the smallest subnormal: rounds to zero (2^-25 itself ties to even zero).
        return sign;
    }
    let exp = ((bits >> 52) & 0x7FF) as i32 - 1023;
    let mant = bits & ((1u64 << 52) - 1);
    if exp >= -14 {
        // Normal half: 10 mantissa bits; drop 42 bits with round-to-nearest-even.
        let m = mant >> 42;
        let rest = mant & ((1u64 << 42) - 1);
        let half = 1u64 << 41;
        let mut h = (((exp + 15) as u64) << 10) | m;
        if rest > half || (rest == half && (m & 1) == 1) {
            h += 1; // may carry into the exponent, which is still right
        }
        sign | h as u16
    } else {
        // Subnormal half: value = m * 2^-24.
        let full = mant | (1u64 << 52); // value = full * 2^(exp-52)
        let shift = (-24 - (exp - 52)) as u32; // bits to drop
        let m = full >> shift;
        let rest = full & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        let mut h = m;
        if rest > half || (rest == half && (m & 1) == 1) {
            h += 1;
        }
        sign | h as u16
    }
}

/// The double of IEEE 754 binary16 bits.
pub fn f16_bits_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1F) as i32;
    let mant = (h & 0x3FF) as f64;
    sign * match exp {
        0 => mant * 2f64.powi(-24),
        31 => {
            if mant == 0.0 {
                f64::INFINITY
            } else {
                f64::NAN
            }
        }
        e => (1.0 + mant / 1024.0) * 2f64.powi(e - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float16_rounds_to_nearest_even() {
        assert_eq!(f64_to_f16_bits(1.0), 0x3C00);
        assert_eq!(f64_to_f16_bits(-2.0), 0xC000);
        assert_eq!(f64_to_f16_bits(65504.0), 0x7BFF);
        assert_eq!(f64_to_f16_bits(65519.99), 0x7BFF);
        assert_eq!(f64_to_f16_bits(65520.0), 0x7C00);
        assert_eq!(f64_to_f16_bits(2f64.powi(-24)), 0x0001);
        assert_eq!(f64_to_f16_bits(2f64.powi(-25)), 0x0000);
        assert_eq!(f64_to_f16_bits(2f64.powi(-25) * 1.5), 0x0001);
        // 1 + 2^-11 is halfway between 1 and the next half: ties to even (1).
        assert_eq!(f64_to_f16_bits(1.0 + 2f64.powi(-11)), 0x3C00);
        assert_eq!(f64_to_f16_bits(1.0 + 3.0 * 2f64.powi(-11)), 0x3C02);
        // Just above the tie rounds up (no double rounding through f32).
        assert_eq!(f64_to_f16_bits(1.0 + 2f64.powi(-11) + 2f64.powi(-40)), 0x3C01);
        for h in [0x0001u16, 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0x8001, 0xFBFF] {
            assert_eq!(f64_to_f16_bits(f16_bits_to_f64(h)), h);
        }
        assert!(f16_bits_to_f64(0x7E00).is_nan());
    }

    #[test]
    fn uint8_clamp_rounds_half_to_even() {
        assert_eq!(clamp_u8(0.5), 0);
        assert_eq!(clamp_u8(1.5), 2);
        assert_eq!(clamp_u8(2.5), 2);
        assert_eq!(clamp_u8(254.5), 254);
        assert_eq!(clamp_u8(-3.0), 0);
        assert_eq!(clamp_u8(300.0), 255);
        assert_eq!(clamp_u8(f64::NAN), 0);
    }
}
