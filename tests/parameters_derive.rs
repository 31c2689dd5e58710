//! `#[derive(Parameters)]`: names, shapes, zeros and gradient pairing, nested structs.

use cadena::ndarray::{Array1, Array2, array};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Layer {
    w: Array2<f64>,
    b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Net {
    enc: Layer,
    out: Layer,
    scale: f64,
}

fn net() -> Net {
    Net {
        enc: Layer {
            w: Array2::ones((3, 4)),
            b: Array1::ones(4),
        },
        out: Layer {
            w: Array2::ones((4, 2)),
            b: Array1::ones(2),
        },
        scale: 2.0,
    }
}

#[test]
fn nested_fields_are_named_by_their_path() {
    let mut names = Vec::new();
    net().visit(&mut |name, t| names.push(format!("{name}{:?}", t.shape())));
    assert_eq!(
        names,
        [
            "enc.w[3, 4]",
            "enc.b[4]",
            "out.w[4, 2]",
            "out.b[2]",
            "scale[]"
        ]
    );
}

#[test]
fn num_params_counts_every_scalar() {
    assert_eq!(net().num_params(), 12 + 4 + 8 + 2 + 1);
}

#[test]
fn zeros_like_keeps_shapes_and_zeroes_values() {
    let z = net().zeros_like();
    assert_eq!(z.enc.w.dim(), (3, 4));
    assert_eq!(z.out.b, array![0.0, 0.0]);
    assert_eq!(z.scale, 0.0);
}

#[test]
fn visit_with_grad_pairs_each_parameter_with_its_gradient() {
    let mut p = net();
    let mut g = net();
    g.scale = 0.5;
    g.enc.b.fill(3.0);
    p.visit_with_grad(&g, &mut |_, mut w, dw| {
        w.zip_mut_with(&dw, |w, &d| *w -= 0.1 * d)
    });
    assert_eq!(p.scale, 2.0 - 0.05);
    assert!((p.enc.b[0] - 0.7).abs() < 1e-12);
    assert!((p.enc.w[[0, 0]] - 0.9).abs() < 1e-12);
}
