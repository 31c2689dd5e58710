#!/usr/bin/env bash
# The `release` table of benches/compile_time.sh (run through it): an MLP, an Elman RNN
# and a CNN, each written with #[differentiable] and by hand, rebuilt in release after an
# edit. The scratch crate lives in target/compile-time-release and depends on this
# checkout's cadena by path.
set -euo pipefail
root=$1
dir=$root/target/compile-time-release
mkdir -p "$dir/src/bin"
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "compile-time-release"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
cadena = { path = "$root/runtime" }

[workspace]
TOML
echo '' > "$dir/src/lib.rs"

cat > "$dir/src/bin/mlp_macro.rs" <<'RS'
use cadena::ndarray::{Array1, Array2};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Mlp { pub w1: Array2<f32>, pub b1: Array1<f32>, pub w2: Array2<f32>, pub b2: Array1<f32> }

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) -> f32 {
    let a1 = tanh(x.dot(&p.w1) + &p.b1);
    let z2 = a1.dot(&p.w2) + &p.b2;
    softmax_cross_entropy(z2, y)
}

fn main() {
    let p = Mlp { w1: Array2::ones((2, 8)), b1: Array1::zeros(8), w2: Array2::ones((8, 3)), b2: Array1::zeros(3) };
    let (l, g) = loss::grad(&p, &Array2::ones((4, 2)), &Array2::ones((4, 3)));
    println!("{l} {}", g.p.w1.sum());
}
RS
cat > "$dir/src/bin/mlp_hand.rs" <<'RS'
use cadena::ndarray::{Array1, Array2, Axis};

pub struct Mlp { pub w1: Array2<f32>, pub b1: Array1<f32>, pub w2: Array2<f32>, pub b2: Array1<f32> }

pub fn grad(p: &Mlp, x: &Array2<f32>, y: &Array2<f32>) -> (f32, Mlp) {
    let n = x.nrows() as f32;
    let a1 = (x.dot(&p.w1) + &p.b1).mapv(f32::tanh);
    let z2 = a1.dot(&p.w2) + &p.b2;
    let m = z2.map_axis(Axis(1), |r| r.fold(f32::NEG_INFINITY, |a, &b| a.max(b)));
    let e = (&z2 - &m.insert_axis(Axis(1))).mapv(f32::exp);
    let s = e.sum_axis(Axis(1)).insert_axis(Axis(1));
    let prob = &e / &s;
    let loss = -(y * &prob.mapv(f32::ln)).sum() / n;
    let dz2 = (&prob - y) / n;
    let dw2 = a1.t().dot(&dz2);
    let db2 = dz2.sum_axis(Axis(0));
    let dz1 = dz2.dot(&p.w2.t()) * a1.mapv(|a| 1.0 - a * a);
    let dw1 = x.t().dot(&dz1);
    let db1 = dz1.sum_axis(Axis(0));
    (loss, Mlp { w1: dw1, b1: db1, w2: dw2, b2: db2 })
}

fn main() {
    let p = Mlp { w1: Array2::ones((2, 8)), b1: Array1::zeros(8), w2: Array2::ones((8, 3)), b2: Array1::zeros(3) };
    let (l, g) = grad(&p, &Array2::ones((4, 2)), &Array2::ones((4, 3)));
    println!("{l} {}", g.w1.sum());
}
RS
cat > "$dir/src/bin/rnn_macro.rs" <<'RS'
use cadena::ndarray::{Array1, Array2, Array3, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Rnn { pub wx: Array2<f32>, pub wh: Array2<f32>, pub b: Array1<f32>, pub v: Array2<f32>, pub c: Array1<f32> }

#[differentiable(wrt(p))]
pub fn loss(p: &Rnn, x: &Array3<f32>, h0: &Array2<f32>, y: &Array2<f32>) -> f32 {
    let mut h = h0.to_owned();
    for xt in x.axis_iter(Axis(1)) {
        h = tanh(xt.dot(&p.wx) + h.dot(&p.wh) + &p.b);
    }
    softmax_cross_entropy(h.dot(&p.v) + &p.c, y)
}

fn main() {
    let p = Rnn { wx: Array2::ones((2, 8)), wh: Array2::ones((8, 8)), b: Array1::zeros(8), v: Array2::ones((8, 3)), c: Array1::zeros(3) };
    let (l, g) = loss::grad(&p, &Array3::ones((4, 5, 2)), &Array2::zeros((4, 8)), &Array2::ones((4, 3)));
    println!("{l} {}", g.p.wx.sum());
}
RS
cat > "$dir/src/bin/rnn_hand.rs" <<'RS'
use cadena::ndarray::{Array1, Array2, Array3, Axis};

pub struct Rnn { pub wx: Array2<f32>, pub wh: Array2<f32>, pub b: Array1<f32>, pub v: Array2<f32>, pub c: Array1<f32> }

pub fn grad(p: &Rnn, x: &Array3<f32>, h0: &Array2<f32>, y: &Array2<f32>) -> (f32, Rnn) {
    let n = x.len_of(Axis(0)) as f32;
    let mut hs = vec![h0.clone()];
    for xt in x.axis_iter(Axis(1)) {
        let h = (xt.dot(&p.wx) + hs.last().unwrap().dot(&p.wh) + &p.b).mapv(f32::tanh);
        hs.push(h);
    }
    let h = hs.last().unwrap();
    let z = h.dot(&p.v) + &p.c;
    let m = z.map_axis(Axis(1), |r| r.fold(f32::NEG_INFINITY, |a, &b| a.max(b)));
    let e = (&z - &m.insert_axis(Axis(1))).mapv(f32::exp);
    let prob = &e / &e.sum_axis(Axis(1)).insert_axis(Axis(1));
    let loss = -(y * &prob.mapv(f32::ln)).sum() / n;
    let dz = (&prob - y) / n;
    let dv = h.t().dot(&dz);
    let dc = dz.sum_axis(Axis(0));
    let mut dh = dz.dot(&p.v.t());
    let (mut dwx, mut dwh, mut db) = (Array2::zeros(p.wx.raw_dim()), Array2::zeros(p.wh.raw_dim()), Array1::zeros(p.b.len()));
    for t in (0..x.len_of(Axis(1))).rev() {
        let da = &dh * &hs[t + 1].mapv(|a| 1.0 - a * a);
        dwx = dwx + x.index_axis(Axis(1), t).t().dot(&da);
        dwh = dwh + hs[t].t().dot(&da);
        db = db + da.sum_axis(Axis(0));
        dh = da.dot(&p.wh.t());
    }
    (loss, Rnn { wx: dwx, wh: dwh, b: db, v: dv, c: dc })
}

fn main() {
    let p = Rnn { wx: Array2::ones((2, 8)), wh: Array2::ones((8, 8)), b: Array1::zeros(8), v: Array2::ones((8, 3)), c: Array1::zeros(3) };
    let (l, g) = grad(&p, &Array3::ones((4, 5, 2)), &Array2::zeros((4, 8)), &Array2::ones((4, 3)));
    println!("{l} {}", g.wx.sum());
}
RS
cat > "$dir/src/bin/cnn_macro.rs" <<'RS'
use cadena::ndarray::{Array1, Array2, Array4, Axis};
use cadena::prelude::*;

#[derive(Parameters, Clone)]
pub struct Cnn { pub w1: Array4<f32>, pub b1: Array1<f32>, pub w2: Array4<f32>, pub b2: Array1<f32>, pub v: Array2<f32>, pub c: Array1<f32> }

#[differentiable(wrt(p))]
pub fn loss(p: &Cnn, x: &Array4<f32>, y: &Array2<f32>) -> f32 {
    let h1 = max_pool2d(&relu(conv2d(x, &p.w1, &p.b1, (1, 1), (1, 1))), (2, 2), (2, 2));
    let h2 = max_pool2d(&relu(conv2d(&h1, &p.w2, &p.b2, (1, 1), (1, 1))), (2, 2), (2, 2));
    let feat = h2.mean_axis(Axis(3)).mean_axis(Axis(2));
    softmax_cross_entropy(feat.dot(&p.v) + &p.c, y)
}

fn main() {
    let p = Cnn { w1: Array4::ones((4, 1, 3, 3)), b1: Array1::zeros(4), w2: Array4::ones((8, 4, 3, 3)), b2: Array1::zeros(8), v: Array2::ones((8, 3)), c: Array1::zeros(3) };
    let (l, g) = loss::grad(&p, &Array4::ones((2, 1, 8, 8)), &Array2::ones((2, 3)));
    println!("{l} {}", g.p.w1.sum());
}
RS
cat > "$dir/src/bin/cnn_hand.rs" <<'RS'
use cadena::ndarray::{Array1, Array2, Array4, Axis};
use cadena::ops::tensor as t;

pub struct Cnn { pub w1: Array4<f32>, pub b1: Array1<f32>, pub w2: Array4<f32>, pub b2: Array1<f32>, pub v: Array2<f32>, pub c: Array1<f32> }

pub fn grad(p: &Cnn, x: &Array4<f32>, y: &Array2<f32>) -> (f32, Cnn) {
    let n = x.len_of(Axis(0)) as f32;
    let z1 = t::conv2d(x, &p.w1, &p.b1, (1, 1), (1, 1));
    let r1 = z1.mapv(|v| v.max(0.0));
    let h1 = t::max_pool2d(&r1, (2, 2), (2, 2));
    let z2 = t::conv2d(&h1, &p.w2, &p.b2, (1, 1), (1, 1));
    let r2 = z2.mapv(|v| v.max(0.0));
    let h2 = t::max_pool2d(&r2, (2, 2), (2, 2));
    let (hh, ww) = (h2.len_of(Axis(2)), h2.len_of(Axis(3)));
    let feat = h2.mean_axis(Axis(3)).unwrap().mean_axis(Axis(2)).unwrap();
    let z = feat.dot(&p.v) + &p.c;
    let m = z.map_axis(Axis(1), |r| r.fold(f32::NEG_INFINITY, |a, &b| a.max(b)));
    let e = (&z - &m.insert_axis(Axis(1))).mapv(f32::exp);
    let prob = &e / &e.sum_axis(Axis(1)).insert_axis(Axis(1));
    let loss = -(y * &prob.mapv(f32::ln)).sum() / n;
    let dz = (&prob - y) / n;
    let dv = feat.t().dot(&dz);
    let dc = dz.sum_axis(Axis(0));
    let dfeat = dz.dot(&p.v.t()) / (hh * ww) as f32;
    let dh2 = dfeat.insert_axis(Axis(2)).insert_axis(Axis(3)).broadcast(h2.raw_dim()).unwrap().to_owned();
    let dr2 = t::max_pool2d_vjp(&dh2, &r2, (2, 2), (2, 2));
    let dz2 = dr2 * z2.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    let dw2 = t::conv2d_vjp_w(&dz2, &h1, &p.w2, (1, 1), (1, 1));
    let db2 = t::conv2d_vjp_b(&dz2, &p.b2);
    let dh1 = t::conv2d_vjp_x(&dz2, &p.w2, &h1, (1, 1), (1, 1));
    let dr1 = t::max_pool2d_vjp(&dh1, &r1, (2, 2), (2, 2));
    let dz1 = dr1 * z1.mapv(|v| if v > 0.0 { 1.0 } else { 0.0 });
    let dw1 = t::conv2d_vjp_w(&dz1, x, &p.w1, (1, 1), (1, 1));
    let db1 = t::conv2d_vjp_b(&dz1, &p.b1);
    (loss, Cnn { w1: dw1, b1: db1, w2: dw2, b2: db2, v: dv, c: dc })
}

fn main() {
    let p = Cnn { w1: Array4::ones((4, 1, 3, 3)), b1: Array1::zeros(4), w2: Array4::ones((8, 4, 3, 3)), b2: Array1::zeros(8), v: Array2::ones((8, 3)), c: Array1::zeros(3) };
    let (l, g) = grad(&p, &Array4::ones((2, 1, 8, 8)), &Array2::ones((2, 3)));
    println!("{l} {}", g.w1.sum());
}
RS

(cd "$dir" && cargo build -q --release --bins)
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
printf '%-5s %10s %10s %7s\n' model macro hand ratio
for model in mlp rnn cnn; do
    declare -A took
    for kind in macro hand; do
        times=()
        for _ in 1 2 3; do
            touch "$dir/src/bin/${model}_$kind.rs"
            s=$(date +%s.%N)
            (cd "$dir" && cargo build -q --release --bin "${model}_$kind")
            times+=("$(echo "$(date +%s.%N) - $s" | bc)")
        done
        took[$kind]=$(median "${times[@]}")
    done
    printf '%-5s %9.2fs %9.2fs %7.2f\n' "$model" "${took[macro]}" "${took[hand]}" \
        "$(echo "${took[macro]} / ${took[hand]}" | bc -l)"
done
