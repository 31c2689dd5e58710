//! Models holding `Vec`s and arrays of layers: `#[derive(Parameters)]` names every
//! element (`layers.0.w`) for optimisers, checkpoints and gradient checks, and a
//! `#[differentiable]` body reads one element by a literal index (`p.layers[1].w`).

use cadena::gradcheck::{Tolerance, check_params};
use cadena::ndarray::{Array1, Array2, array};
use cadena::optim::Sgd;
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Layer {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
pub struct Deep {
    pub layers: Vec<Layer>,
    pub out: [Layer; 1],
}

#[differentiable(wrt(p))]
pub fn loss(p: &Deep, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    let h1 = tanh(x.dot(&p.layers[0].w) + &p.layers[0].b);
    let h2 = tanh(h1.dot(&p.layers[1].w) + &p.layers[1].b);
    let z = h2.dot(&p.out[0].w) + &p.out[0].b;
    mse(z, y)
}

fn layer(i: usize, o: usize, seed: f64) -> Layer {
    let w = Array2::from_shape_fn((i, o), |(r, c)| {
        ((r * o + c) as f64 * 0.37 + seed).sin() * 0.6
    });
    let b = Array1::from_shape_fn(o, |k| (k as f64 + seed).cos() * 0.1);
    Layer { w, b }
}

fn model() -> Deep {
    Deep {
        layers: vec![layer(3, 4, 0.1), layer(4, 4, 0.7)],
        out: [layer(4, 2, 1.3)],
    }
}

#[test]
fn every_element_of_a_stack_is_named_and_differentiated() {
    let p = model();
    let x = array![[0.5, -1.0, 0.25], [1.5, 0.25, -0.5], [0.0, 0.75, 1.0]];
    let y = array![[0.1, -0.2], [0.3, 0.0], [-0.1, 0.2]];
    let (l, g) = loss::grad(&p, &x, &y);
    assert_eq!(l, loss(&p, &x, &y));
    assert_eq!(g.p.layers.len(), 2);
    check_params(|q: &Deep| loss(q, &x, &y), &p, &g.p, &Tolerance::default()).unwrap();

    let mut names = Vec::new();
    p.visit(&mut |name, _| names.push(name.to_string()));
    assert_eq!(
        names,
        [
            "layers.0.w",
            "layers.0.b",
            "layers.1.w",
            "layers.1.b",
            "out.0.w",
            "out.0.b"
        ]
    );
    assert!(
        loss::DERIVATION.contains("dL/dp.layers[0].w = "),
        "{}",
        loss::DERIVATION
    );
}

#[test]
fn optimisers_and_checkpoints_see_every_element() {
    let mut p = model();
    let x = array![[0.5, -1.0, 0.25], [1.5, 0.25, -0.5]];
    let y = array![[0.1, -0.2], [0.3, 0.0]];
    let before = p.clone();
    let (_, g) = loss::grad(&p, &x, &y);
    Sgd::new(0.1).unwrap().step(&mut p, &g.p).unwrap();
    assert_ne!(p.layers[0].w, before.layers[0].w);
    assert_ne!(p.layers[1].b, before.layers[1].b);
    assert_ne!(p.out[0].w, before.out[0].w);

    let path =
        std::env::temp_dir().join(format!("cadena-stack-{}.safetensors", std::process::id()));
    cadena::checkpoint::save(&p, &path).unwrap();
    let mut restored = model();
    cadena::checkpoint::load(&mut restored, &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(restored, p);
}
