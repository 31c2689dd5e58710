// A type that exists nowhere, annotating a `let` of a generic function's ndarray code: an
// error on it (a fuzzer finding: accepted, as annotations of generic functions were not
// checked at all). It names no float of the function's, whose values are all `T`s.
use cadena::ndarray::Array2;
use cadena::prelude::*;
use cadena::Float;

#[differentiable(wrt(w))]
fn generic<T>(w: &Array2<T>, x: &Array2<T>, y: &Array2<T>) -> T
where
    T: Float,
{
    let _h: &Undefined = w;
    mse(x.dot(w), y)
}

fn main() {}
