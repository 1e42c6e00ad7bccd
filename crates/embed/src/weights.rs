//! Reading tensors out of a safetensors file (an 8-byte header length, a JSON header, raw
//! little-endian data), in float16 or float32, as float32.

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [usize; 2],
}

/// The tensors of one file, borrowed from its bytes.
pub struct Tensors<'a> {
    entries: HashMap<String, Entry>,
    data: &'a [u8],
}

impl<'a> Tensors<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        let len_bytes: [u8; 8] = bytes.get(..8).and_then(|b| b.try_into().ok()).context("file shorter than 8 bytes")?;
        let header_len = usize::try_from(u64::from_le_bytes(len_bytes)).context("header length")?;
        let header = bytes.get(8..8 + header_len).context("header runs past the end of the file")?;
        let mut raw: HashMap<String, serde_json::Value> = serde_json::from_slice(header).context("header JSON")?;
        raw.remove("__metadata__");
        let mut entries = HashMap::with_capacity(raw.len());
        for (name, value) in raw {
            let entry: Entry = serde_json::from_value(value).with_context(|| format!("tensor {name}"))?;
            entries.insert(name, entry);
        }
        Ok(Self { entries, data: &bytes[8 + header_len..] })
    }

    /// The tensor's shape and its raw bytes, checked against its dtype's size.
    fn raw(&self, name: &str) -> Result<(&Entry, &'a [u8])> {
        let e = self.entries.get(name).with_context(|| format!("no tensor {name}"))?;
        let width = match e.dtype.as_str() {
            "F16" => 2,
            "F32" => 4,
            other => bail!("tensor {name}: dtype {other} (F16 or F32 expected)"),
        };
        let [start, end] = e.data_offsets;
        let bytes = self.data.get(start..end).with_context(|| format!("tensor {name}: data past the end"))?;
        if bytes.len() != e.shape.iter().product::<usize>() * width {
            bail!("tensor {name}: {} bytes for shape {:?}", bytes.len(), e.shape);
        }
        Ok((e, bytes))
    }

    /// The tensor as float32, after checking its shape.
    pub fn f32(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let (e, bytes) = self.raw(name)?;
        if e.shape != shape {
            bail!("tensor {name}: shape {:?}, expected {shape:?}", e.shape);
        }
        Ok(match e.dtype.as_str() {
            "F16" => {
                // A table of all 65,536 halves: one lookup per weight instead of bit surgery
                // with branches, which made loading the model the slowest part of a query.
                let table = half_table();
                bytes.chunks_exact(2).map(|b| table[usize::from(u16::from_le_bytes([b[0], b[1]]))]).collect()
            }
            _ => bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        })
    }

    /// Rows of a 2-D tensor kept in its stored form, converted one row at a time on use: the
    /// word-embedding table is most of the model, and a query needs a dozen of its rows.
    pub fn rows(&self, name: &str, shape: [usize; 2]) -> Result<Rows<'a>> {
        let (e, bytes) = self.raw(name)?;
        if e.shape != shape {
            bail!("tensor {name}: shape {:?}, expected {shape:?}", e.shape);
        }
        Ok(Rows { bytes, width: shape[1], half: e.dtype == "F16", count: shape[0] })
    }
}

/// A row-addressable table of float16 or float32 values.
pub struct Rows<'a> {
    bytes: &'a [u8],
    width: usize,
    half: bool,
    pub count: usize,
}

impl Rows<'_> {
    /// Writes row `i` into `out` (whose length is the row width).
    pub fn decode_row(&self, i: usize, out: &mut [f32]) {
        let size = if self.half { 2 } else { 4 };
        let row = &self.bytes[i * self.width * size..(i + 1) * self.width * size];
        if self.half {
            let table = half_table();
            for (o, b) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o = table[usize::from(u16::from_le_bytes([b[0], b[1]]))];
            }
        } else {
            for (o, b) in out.iter_mut().zip(row.chunks_exact(4)) {
                *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
    }

    /// Adds row `i` into `out` (whose length is the row width).
    pub fn add_row(&self, i: usize, out: &mut [f32]) {
        let size = if self.half { 2 } else { 4 };
        let row = &self.bytes[i * self.width * size..(i + 1) * self.width * size];
        if self.half {
            for (o, b) in out.iter_mut().zip(row.chunks_exact(2)) {
                *o += f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
            }
        } else {
            for (o, b) in out.iter_mut().zip(row.chunks_exact(4)) {
                *o += f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
    }
}

/// Every half-precision value as single precision, built once per process.
fn half_table() -> &'static [f32] {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..=u16::MAX).map(f16_to_f32).collect())
}

/// IEEE 754 half to single precision, subnormals included.
pub fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = frac * 2^-24.
            let v = frac as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -v } else { v };
        }
        (0x1f, _) => sign | 0x7f80_0000 | (frac << 13),
        _ => sign | ((exp + 112) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_values_convert_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert!(f16_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn bad_headers_are_errors_not_panics() {
        assert!(Tensors::parse(b"abc").is_err());
        let mut bytes = 1000u64.to_le_bytes().to_vec();
        bytes.extend_from_slice(b"{}");
        assert!(Tensors::parse(&bytes).is_err());
        let header = br#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let mut ok = (header.len() as u64).to_le_bytes().to_vec();
        ok.extend_from_slice(header);
        ok.extend_from_slice(&1.5f32.to_le_bytes());
        ok.extend_from_slice(&(-1.0f32).to_le_bytes());
        let t = Tensors::parse(&ok).unwrap();
        assert_eq!(t.f32("w", &[2]).unwrap(), vec![1.5, -1.0]);
        assert!(t.f32("w", &[3]).is_err());
        assert!(t.f32("v", &[2]).is_err());
    }
}
