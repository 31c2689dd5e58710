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

/// How a layer squashes its pre-activation: a choice, not a trained number.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Activation {
    Tanh,
    Relu,
}

/// A layer that also records its width and activation; both are `#[parameters(skip)]`.
#[derive(Parameters, Clone, Debug, PartialEq)]
struct Configured {
    #[parameters(skip)]
    hidden: usize,
    w: Array2<f64>,
    #[parameters(skip)]
    activation: Activation,
    b: Array1<f64>,
}

fn configured() -> Configured {
    Configured {
        hidden: 3,
        w: Array2::ones((2, 3)),
        activation: Activation::Relu,
        b: Array1::ones(3),
    }
}

#[test]
fn skipped_fields_are_not_visited_or_counted() {
    let mut names = Vec::new();
    configured().visit(&mut |name, t| names.push(format!("{name}{:?}", t.shape())));
    assert_eq!(names, ["w[2, 3]", "b[3]"]);
    assert_eq!(configured().num_params(), 6 + 3);
}

#[test]
fn zeros_like_copies_skipped_fields() {
    let z = configured().zeros_like();
    assert_eq!(z.hidden, 3);
    assert_eq!(z.activation, Activation::Relu);
    assert_eq!(z.w, Array2::<f64>::zeros((2, 3)));
}

#[test]
fn optimisers_leave_skipped_fields_alone() {
    let mut p = configured();
    let mut g = configured();
    g.hidden = 99;
    g.activation = Activation::Tanh;
    cadena::optim::Sgd::new(0.5)
        .unwrap()
        .step(&mut p, &g)
        .unwrap();
    assert_eq!((p.hidden, p.activation), (3, Activation::Relu));
    assert_eq!(p.w, Array2::from_elem((2, 3), 0.5));
}

#[test]
fn checkpoints_hold_only_trained_fields() {
    let path = std::env::temp_dir().join(format!("cadena-skip-{}.safetensors", std::process::id()));
    cadena::checkpoint::save(&configured(), &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort_unstable();
    assert_eq!(names, ["b", "w"]);

    let mut other = Configured {
        hidden: 7,
        activation: Activation::Tanh,
        ..configured().zeros_like()
    };
    cadena::checkpoint::load(&mut other, &path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(other.w, Array2::<f64>::ones((2, 3)));
    assert_eq!((other.hidden, other.activation), (7, Activation::Tanh));
}

#[differentiable(wrt(p))]
fn configured_loss(p: &Configured, x: &Array2<f64>, y: &Array2<f64>) -> f64 {
    mse(relu(x.dot(&p.w) + &p.b), y)
}

#[test]
fn gradients_of_a_struct_with_skipped_fields_carry_them_over() {
    let x = array![[1.0, 2.0], [0.5, 1.0]];
    let y = Array2::zeros((2, 3));
    let (_, g) = configured_loss::grad(&configured(), &x, &y);
    assert_eq!((g.p.hidden, g.p.activation), (3, Activation::Relu));
    // Every pre-activation is positive (4 and 2.5), so dL/db = 2 * (4 + 2.5) / 6 per column.
    for &d in &g.p.b {
        assert!((d - 13.0 / 6.0).abs() < 1e-12, "{d}");
    }
}

/// A struct generic over its float, with a float field: every `Float` is a parameter
/// (`T: Float` gives `T: Parameters`), so the derive needs no bound of its own.
#[derive(Parameters, Clone)]
pub struct Tempered<T: Float> {
    pub w: Array1<T>,
    pub temperature: T,
}

#[test]
fn a_generic_struct_with_a_float_field_at_both_widths() {
    fn names<T: Float>(p: &Tempered<T>) -> Vec<String> {
        let mut names = Vec::new();
        p.visit(&mut |name, t| names.push(format!("{name}{:?}", t.shape())));
        names
    }
    let p64 = Tempered {
        w: array![1.0, 2.0],
        temperature: 0.5,
    };
    let p32 = Tempered {
        w: array![1.0_f32, 2.0, 3.0],
        temperature: 0.5_f32,
    };
    assert_eq!(names(&p64), ["w[2]", "temperature[]"]);
    assert_eq!(p32.num_params(), 4);
    assert_eq!(p64.zeros_like().temperature, 0.0);
}
