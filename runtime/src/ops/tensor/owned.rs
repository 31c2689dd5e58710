//! Gradients handed to the user are owned values in standard (row-major) layout, whatever
//! form the backward pass computed them in: the gradient of a weight used as `w.t()` is a
//! transpose, and a gradient may be an input passed through unchanged. Optimisers read
//! parameters and gradients as contiguous slices in one order, so layout matters too.

use ndarray::{Array, ArrayBase, ArrayRef, ArrayView, Data, Dimension};

use crate::Float;

/// What [`owned`] accepts: arrays owned, viewed or borrowed, and floats.
pub trait IntoOwned {
    /// The owned value.
    type Output;
    /// The value as an owned, row-major array (a float is itself).
    fn into_owned_standard(self) -> Self::Output;
}

impl<A: Float, D: Dimension> IntoOwned for Array<A, D> {
    type Output = Array<A, D>;
    fn into_owned_standard(self) -> Array<A, D> {
        if self.is_standard_layout() {
            self
        } else {
            self.as_standard_layout().into_owned()
        }
    }
}

impl<A: Float, D: Dimension> IntoOwned for ArrayView<'_, A, D> {
    type Output = Array<A, D>;
    fn into_owned_standard(self) -> Array<A, D> {
        self.as_standard_layout().into_owned()
    }
}

impl<A: Float, S: Data<Elem = A>, D: Dimension> IntoOwned for &ArrayBase<S, D> {
    type Output = Array<A, D>;
    fn into_owned_standard(self) -> Array<A, D> {
        self.as_standard_layout().into_owned()
    }
}

impl<A: Float, D: Dimension> IntoOwned for &ArrayRef<A, D> {
    type Output = Array<A, D>;
    fn into_owned_standard(self) -> Array<A, D> {
        self.as_standard_layout().into_owned()
    }
}

macro_rules! owned_float {
    ($($t:ty),*) => {$(
        impl IntoOwned for $t {
            type Output = $t;
            fn into_owned_standard(self) -> $t {
                self
            }
        }
    )*};
}
owned_float!(f32, f64);

/// `x` as an owned, row-major value: a no-op for an owned row-major array or a float,
/// one copy otherwise.
///
/// ```
/// use cadena::ndarray::array;
/// use cadena::ops::tensor::{owned, t};
/// let w = array![[1.0_f32, 2.0], [3.0, 4.0]];
/// let g = owned(t(&w)); // a transposed view becomes a row-major array
/// assert!(g.is_standard_layout());
/// assert_eq!(g, array![[1.0, 3.0], [2.0, 4.0]]);
/// ```
pub fn owned<X: IntoOwned>(x: X) -> X::Output {
    x.into_owned_standard()
}
