#!/usr/bin/env bash
# Compile time of #[differentiable] code, debug builds, dependencies already built.
#
#   bash benches/compile_time.sh          # both tables below
#   bash benches/compile_time.sh course   # the course package's examples only
#   bash benches/compile_time.sh model    # the 5-function model against one function
#   bash benches/compile_time.sh release  # release rebuilds: MLP, RNN, CNN, each against
#                                         # the same forward and backward by hand
#
# course: `cargo build --examples` of the course package after touching every example
#         (what a student waits for after an edit), median of 3.
# model:  the course's scalar networks (neuron; shallow = predict + its loss, calling
#         `grad`, `grad_sum` and `predict`), and a crate with one small MLP written as 5 composed #[differentiable] functions
#         (a layer, two blocks, the logits, the loss) and the same network written as one
#         function beside a hand-kept copy of its forward pass (how it was written
#         before calls), each a binary calling `loss::grad` and `logits`, built after
#         touching its source, median of 3. The crate lives in
#         target/compile-time and depends on this checkout's cadena by path.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
what=${1:-all}

# release: what a user who trains in release waits for after editing one model file.
# Each model is a binary of its own (a crate of its own to rustc), written twice: with
# #[differentiable], and by hand calling the same runtime kernels (ndarray products,
# cadena's conv and pool VJPs) with the backward pass written out. Each binary is
# rebuilt in release after touching its file, median of 3; the ratio is macro / hand.
if [[ $what == release ]]; then
    bash "$root/benches/compile_time_release.sh" "$root"
    exit 0
fi

if [[ $what == all || $what == course ]]; then
    cargo build -q --examples
    times=()
    for _ in 1 2 3; do
        touch examples/*.rs
        s=$(date +%s.%N)
        cargo build -q --examples
        times+=("$(echo "$(date +%s.%N) - $s" | bc)")
    done
    n=$(ls examples/*.rs | wc -l)
    printf 'course package, %d examples rebuilt: %.1f s (median of 3)\n' "$n" \
        "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)"
fi

if [[ $what == all || $what == model ]]; then
    dir=target/compile-time
    mkdir -p "$dir/src/bin"
    cat > "$dir/Cargo.toml" <<TOML
[package]
name = "compile-time"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
cadena = { path = "$root/runtime" }

[workspace]
TOML
    cat > "$dir/src/lib.rs" <<'RS'
pub mod model {
    use cadena::ndarray::{Array1, Array2};
    use cadena::prelude::*;

    #[derive(Parameters, Clone)]
    pub struct Layer { pub w: Array2<f32>, pub b: Array1<f32> }
    #[derive(Parameters, Clone)]
    pub struct Mlp { pub l1: Layer, pub l2: Layer, pub l3: Layer, pub out: Layer }
}
RS
    cat > "$dir/src/bin/composed.rs" <<'RS'
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;
use compile_time::model::{Layer, Mlp};

#[differentiable]
pub fn dense(l: &Layer, x: ArrayView2<f32>) -> Array2<f32> {
    tanh(x.dot(&l.w) + &l.b)
}

#[differentiable]
pub fn first(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    dense(&p.l1, x)
}

#[differentiable]
pub fn second(p: &Mlp, h: ArrayView2<f32>) -> Array2<f32> {
    let g = dense(&p.l2, h);
    dense(&p.l3, g.view())
}

#[differentiable]
pub fn logits(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    let h = first(p, x);
    second(p, h.view()).dot(&p.out.w) + &p.out.b
}

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: ArrayView2<f32>, y: &[usize]) -> f32 {
    softmax_cross_entropy(logits(p, x), y)
}

fn main() {
    std::hint::black_box((loss::grad, logits));
}
RS
    cat > "$dir/src/bin/single.rs" <<'RS'
use cadena::ndarray::{Array2, ArrayView2};
use cadena::prelude::*;
use compile_time::model::Mlp;

/// The prediction path, kept by hand beside the loss (the only way before calls).
pub fn logits(p: &Mlp, x: ArrayView2<f32>) -> Array2<f32> {
    let h1 = tanh(x.dot(&p.l1.w) + &p.l1.b);
    let h2 = tanh(h1.dot(&p.l2.w) + &p.l2.b);
    let h3 = tanh(h2.dot(&p.l3.w) + &p.l3.b);
    h3.dot(&p.out.w) + &p.out.b
}

#[differentiable(wrt(p))]
pub fn loss(p: &Mlp, x: ArrayView2<f32>, y: &[usize]) -> f32 {
    let h1 = tanh(x.dot(&p.l1.w) + &p.l1.b);
    let h2 = tanh(h1.dot(&p.l2.w) + &p.l2.b);
    let h3 = tanh(h2.dot(&p.l3.w) + &p.l3.b);
    softmax_cross_entropy(h3.dot(&p.out.w) + &p.out.b, y)
}

fn main() {
    std::hint::black_box((loss::grad, logits));
}
RS
    echo 'fn main() { println!("an empty binary, for the floor"); }' > "$dir/src/bin/none.rs"
    cat > "$dir/src/bin/neuron.rs" <<'RS'
use cadena::prelude::*;

#[differentiable(wrt(w1, w2, b))]
pub fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

fn main() {
    std::hint::black_box((neuron::grad, neuron::grad_sum));
}
RS
    cat > "$dir/src/bin/shallow.rs" <<'RS'
use cadena::prelude::*;

#[differentiable]
pub fn predict(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64) -> f64 {
    let z1 = w11 * x1 + w12 * x2 + b1;
    let a1 = tanh(z1);
    let z2 = w2 * a1 + b2;
    sigmoid(z2)
}

#[differentiable(wrt(w11, w12, b1, w2, b2))]
#[allow(clippy::too_many_arguments)]
pub fn shallow(w11: f64, w12: f64, b1: f64, w2: f64, b2: f64, x1: f64, x2: f64, y: f64) -> f64 {
    bce(predict(w11, w12, b1, w2, b2, x1, x2), y)
}

fn main() {
    std::hint::black_box((shallow::grad, shallow::grad_sum, predict));
}
RS
    (cd "$dir" && cargo build -q --bins)
    for bin in none neuron shallow composed single; do
        times=()
        for _ in 1 2 3; do
            touch "$dir/src/bin/$bin.rs"
            s=$(date +%s.%N)
            (cd "$dir" && cargo build -q --bin "$bin")
            times+=("$(echo "$(date +%s.%N) - $s" | bc)")
        done
        printf '%-9s %.2f s (median of 3)\n' "$bin" "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)"
    done
fi
