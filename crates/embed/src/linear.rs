//! The encoder's dense layers, `x · wᵀ + b`: most of a query's time.
//!
//! A short input (a query is a dozen rows) runs a hand-tiled product; on x86-64 machines with
//! AVX2 and FMA it is compiled a second time for them and chosen at run time (through `pulp`,
//! so no `unsafe` here), which halves a query's embedding time against the SSE2 baseline.

use anyhow::Result;
use ndarray::{Array2, ArrayView2, Axis, Slice};

use super::weights::Tensors;

pub(crate) struct Linear {
    /// The weights in column tiles of [`TILE`] outputs, `[out / TILE][in][TILE]` (the last
    /// tile padded with zeros), laid out once at load: a query is a dozen rows, and a general
    /// matrix product re-packed the whole weight matrix on every call (most of a query's time).
    tiles: Vec<f32>,
    inp: usize,
    out: usize,
    /// The bias, padded like the tiles.
    b: Vec<f32>,
}

/// Outputs per weight tile: sixteen accumulators per row stay in registers.
const TILE: usize = 16;

/// Rows from which [`Linear::apply_long`] is the faster product.
const LONG_ROWS: usize = 48;

impl Linear {
    /// The products `parts` (tensor names and output sizes, stacked in that order) over `inp`
    /// inputs, decoded straight into tiles: one pass over the stored weights.
    pub(crate) fn load(t: &Tensors, parts: &[(&str, usize)], inp: usize) -> Result<Self> {
        let mut sources = Vec::with_capacity(parts.len());
        let mut b = Vec::new();
        for &(name, out) in parts {
            sources.push(t.rows(&format!("{name}.weight"), [out, inp])?);
            b.extend(t.f32(&format!("{name}.bias"), &[out])?);
        }
        let out = b.len();
        let count = out.div_ceil(TILE);
        let mut tiles = vec![0.0; count * inp * TILE];
        let mut row = vec![0.0; inp];
        let rows = sources.iter().flat_map(|r| (0..r.count).map(move |i| (r, i)));
        for (o, (source, i)) in rows.enumerate() {
            source.decode_row(i, &mut row);
            let tile = &mut tiles[(o / TILE) * inp * TILE..(o / TILE + 1) * inp * TILE];
            for (slot, &v) in tile[o % TILE..].iter_mut().step_by(TILE).zip(&row) {
                *slot = v;
            }
        }
        b.resize(count * TILE, 0.0);
        Ok(Self { tiles, inp, out, b })
    }

    /// `x · wᵀ + b`, `[rows, out]`.
    pub(crate) fn apply(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let x = x.as_standard_layout();
        if x.nrows() >= LONG_ROWS {
            return self.apply_long(&x.view());
        }
        let xs = x.as_slice().expect("a standard-layout array is one slice");
        let y = Short { linear: self, xs, n: x.nrows() }.dispatch();
        Array2::from_shape_vec((x.nrows(), self.out), y).expect("n * out values")
    }

    /// The tiled product of `n` rows `xs`, `R` rows a pass; `FMA` fuses each multiply and add,
    /// which only a caller compiled with FMA may ask for (without it `mul_add` is a slow
    /// library call).
    #[inline(always)]
    fn short<const R: usize, const FMA: bool>(&self, xs: &[f32], n: usize) -> Vec<f32> {
        let (inp, out) = (self.inp, self.out);
        let mut y = vec![0.0f32; n * out];
        for (t, tile) in self.tiles.chunks_exact(inp * TILE).enumerate() {
            let o = t * TILE;
            let width = TILE.min(out - o);
            let bias: &[f32; TILE] = self.b[o..o + TILE].try_into().expect("the bias is padded to whole tiles");
            let mut put =
                |i: usize, row: &[f32; TILE]| y[i * out + o..i * out + o + width].copy_from_slice(&row[..width]);
            let mut i = 0;
            while i + R <= n {
                let rows: [&[f32]; R] = std::array::from_fn(|r| &xs[(i + r) * inp..(i + r + 1) * inp]);
                for (r, row) in tile_rows::<R, FMA>(tile, rows, bias).iter().enumerate() {
                    put(i + r, row);
                }
                i += R;
            }
            for i in i..n {
                put(i, &tile_rows::<1, FMA>(tile, [&xs[i * inp..(i + 1) * inp]], bias)[0]);
            }
        }
        y
    }

    /// Many rows (a body chunk at index time): a general matrix product per tile, whose
    /// SIMD kernel (chosen at run time by `matrixmultiply`) is faster than [`tile_rows`] once
    /// the cost of packing is shared by enough rows.
    fn apply_long(&self, x: &ArrayView2<f32>) -> Array2<f32> {
        let (n, inp, out) = (x.nrows(), self.inp, self.out);
        let mut y = Array2::<f32>::zeros((n, self.b.len()));
        for (t, tile) in self.tiles.chunks_exact(inp * TILE).enumerate() {
            let w = ArrayView2::from_shape((inp, TILE), tile).expect("a tile is in x TILE");
            let mut part = y.slice_axis_mut(Axis(1), Slice::from(t * TILE..(t + 1) * TILE));
            ndarray::linalg::general_mat_mul(1.0, x, &w, 0.0, &mut part);
        }
        for mut row in y.rows_mut() {
            for (v, b) in row.iter_mut().zip(&self.b) {
                *v += b;
            }
        }
        y.slice_axis_move(Axis(1), Slice::from(0..out)).as_standard_layout().into_owned()
    }
}

/// One short product, run with the best instructions the machine has.
struct Short<'a> {
    linear: &'a Linear,
    xs: &'a [f32],
    n: usize,
}

impl Short<'_> {
    #[cfg(target_arch = "x86_64")]
    fn dispatch(self) -> Vec<f32> {
        match pulp::x86::V3::try_new() {
            Some(v3) => pulp::Simd::vectorize(v3, self),
            None => self.linear.short::<2, false>(self.xs, self.n),
        }
    }

    /// Elsewhere the baseline decides: aarch64 always has fused multiply-add.
    #[cfg(not(target_arch = "x86_64"))]
    fn dispatch(self) -> Vec<f32> {
        self.linear.short::<2, { cfg!(target_arch = "aarch64") }>(self.xs, self.n)
    }
}

impl pulp::WithSimd for Short<'_> {
    type Output = Vec<f32>;

    /// Inlined into pulp's AVX2 + FMA frame, so that the product is compiled for it. Its
    /// sixteen vector registers hold the accumulators of four rows (two with SSE2's).
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Vec<f32> {
        self.linear.short::<4, true>(self.xs, self.n)
    }
}

/// `R` rows of the input times one weight tile, plus the bias: each weight is loaded once for
/// all `R` rows, and the accumulators are fixed-size so the compiler keeps them in registers.
#[inline(always)]
fn tile_rows<const R: usize, const FMA: bool>(tile: &[f32], rows: [&[f32]; R], bias: &[f32; TILE]) -> [[f32; TILE]; R] {
    let mut acc = [*bias; R];
    for (k, w) in tile.chunks_exact(TILE).enumerate() {
        let w: &[f32; TILE] = w.try_into().expect("tiles are whole");
        for (a, row) in acc.iter_mut().zip(&rows) {
            let x = row[k];
            for (s, wj) in a.iter_mut().zip(w) {
                *s = if FMA { x.mul_add(*wj, *s) } else { *s + x * wj };
            }
        }
    }
    acc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(inp: usize, out: usize) -> Linear {
        let count = out.div_ceil(TILE);
        let mut tiles = vec![0.0; count * inp * TILE];
        for o in 0..out {
            for k in 0..inp {
                tiles[(o / TILE) * inp * TILE + k * TILE + o % TILE] = ((o * 7 + k * 3) % 11) as f32 / 11.0 - 0.5;
            }
        }
        let mut b: Vec<f32> = (0..out).map(|o| o as f32 / 100.0).collect();
        b.resize(count * TILE, 0.0);
        Linear { tiles, inp, out, b }
    }

    /// The short product (whichever instructions ran it), the long one and the plain
    /// definition agree, on a width that leaves the last tile part-filled.
    #[test]
    fn every_product_computes_x_times_w_plus_b() {
        let l = linear(40, 37);
        for n in [1, 5, LONG_ROWS + 1] {
            let x = Array2::from_shape_fn((n, 40), |(i, k)| ((i * 5 + k) % 13) as f32 / 13.0 - 0.4);
            let y = l.apply(&x.view());
            for i in 0..n {
                for o in 0..37 {
                    let w = |k: usize| l.tiles[(o / TILE) * 40 * TILE + k * TILE + o % TILE];
                    let want: f32 = (0..40).map(|k| x[[i, k]] * w(k)).sum::<f32>() + l.b[o];
                    assert!((y[[i, o]] - want).abs() < 1e-4, "row {i} out {o} of {n}: {} not {want}", y[[i, o]]);
                }
            }
        }
    }
}
