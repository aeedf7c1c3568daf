//! BigInt values from and to 64-bit integers and word arrays (V8's
//! `BigInt::New`, `NewFromUnsigned`, `Int64Value(lossless)`, `NewFromWords`,
//! `ToWordsArray`).

use super::sable_status::*;
use super::*;

/// A BigInt of a signed 64-bit integer; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_from_int64(isolate: *mut sable_isolate, n: i64) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        let l = iso.with(|api| Ok(api.bigint_from_i64(n)))?;
        Ok(encode_local(iso.id, l))
    })
}

/// A BigInt of an unsigned 64-bit integer; NULL for an invalid isolate.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_from_uint64(isolate: *mut sable_isolate, n: u64) -> sable_value {
    ffi_or(std::ptr::null_mut(), || {
        let iso = isolate_ref(isolate)?;
        let l = iso.with(|api| Ok(api.bigint_from_u64(n)))?;
        Ok(encode_local(iso.id, l))
    })
}

/// Reads BigInt `v` with `read` into `out`, and the lossless flag into
/// `lossless` when that is not NULL.
fn bigint_out<T>(
    isolate: *mut sable_isolate,
    v: sable_value,
    out: *mut T,
    lossless: *mut bool,
    read: fn(&api::Isolate, api::Local) -> Option<(T, bool)>,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        let (n, exact) = iso.with(|api| {
            let l = local(api, iso.id, v)?;
            read(api, l).ok_or(SABLE_INVALID_ARGUMENT)
        })?;
        // SAFETY: `out` checked non-NULL; `lossless` NULL or valid per the contract.
        unsafe {
            put(out, n);
            if !lossless.is_null() {
                put(lossless, exact);
            }
        }
        Ok(())
    })
}

/// The value of BigInt `v` modulo 2^64 as a signed integer through `out`;
/// `*lossless` (may be NULL) tells whether that is its exact value. A
/// non-BigInt gives `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_to_int64(isolate: *mut sable_isolate, v: sable_value, out: *mut i64, lossless: *mut bool) -> sable_status {
    bigint_out(isolate, v, out, lossless, api::Isolate::bigint_to_i64)
}

/// The value of BigInt `v` modulo 2^64 as an unsigned integer through `out`;
/// `*lossless` (may be NULL) tells whether that is its exact value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_to_uint64(isolate: *mut sable_isolate, v: sable_value, out: *mut u64, lossless: *mut bool) -> sable_status {
    bigint_out(isolate, v, out, lossless, api::Isolate::bigint_to_u64)
}

/// A BigInt of `word_count` 64-bit words of magnitude (least significant
/// first), negative when `sign_bit` is nonzero. `words` may be NULL only when
/// `word_count` is 0. More than 2^24 words (the BigInt size limit) gives
/// `SABLE_INVALID_ARGUMENT`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_from_words(
    isolate: *mut sable_isolate,
    sign_bit: c_int,
    word_count: usize,
    words: *const u64,
    out: *mut sable_value,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!out.is_null())?;
        check(word_count == 0 || !words.is_null())?;
        check(word_count <= api::Isolate::BIGINT_MAX_WORDS)?;
        let slice: &[u64] = if word_count == 0 {
            &[]
        } else {
            // SAFETY: non-NULL and valid for `word_count` words per the contract.
            unsafe { std::slice::from_raw_parts(words, word_count) }
        };
        let l = iso.with(|api| api.bigint_from_words(sign_bit != 0, slice).ok_or(SABLE_INVALID_ARGUMENT))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out, encode_local(iso.id, l)) };
        Ok(())
    })
}

/// Reads BigInt `v` as sign and 64-bit magnitude words (least significant
/// first). On entry `*word_count` is the capacity of `words` (which may be
/// NULL when it is 0); on return it is the number of words the value needs,
/// and the first min(capacity, needed) words are written. `sign_bit` may be NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sable_bigint_to_words(
    isolate: *mut sable_isolate,
    v: sable_value,
    sign_bit: *mut c_int,
    word_count: *mut usize,
    words: *mut u64,
) -> sable_status {
    ffi_status(|| {
        let iso = isolate_ref(isolate)?;
        check(!word_count.is_null())?;
        // SAFETY: checked non-NULL; valid per the contract.
        let capacity = unsafe { word_count.read() };
        check(capacity == 0 || !words.is_null())?;
        let (negative, digits) = iso.with(|api| {
            let l = local(api, iso.id, v)?;
            api.bigint_words(l).ok_or(SABLE_INVALID_ARGUMENT)
        })?;
        let n = capacity.min(digits.len());
        // SAFETY: `words` is valid for `capacity` >= n words per the contract;
        // `word_count` checked; `sign_bit` NULL or valid.
        unsafe {
            if n > 0 {
                std::ptr::copy_nonoverlapping(digits.as_ptr(), words, n);
            }
            put(word_count, digits.len());
            if !sign_bit.is_null() {
                put(sign_bit, negative as c_int);
            }
        }
        Ok(())
    })
}
