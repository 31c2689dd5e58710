// An `s![..]` entry that is a range of a range (`1.. ..`), and `concatenate`'s parts
// behind two `&`: not Rust that compiles, also where the result leaves them unused (fuzzer
// findings: accepted, though rustc refuses the body as written).
use cadena::ndarray::{Array2, Axis, s};
use cadena::prelude::*;

#[differentiable]
pub fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let _v4 = x.slice(s![.., 1.. ..]).dot(&w.slice(s![1.., ..]));
    let _v5 = concatenate(Axis(1), &&[x.view(), x.view()]);
    sum(x.dot(w))
}

fn main() {}
