//! One step of each optimiser against the update rule computed by hand.

use cadena::Error;
use cadena::ndarray::{Array1, Array2, array};
use cadena::optim::{Adam, AdamConfig, Optimizer, Schedule, Sgd, SgdConfig};
use cadena::prelude::*;

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Layer {
    w: Array2<f32>,
    b: Array1<f32>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Net {
    enc: Layer,
    scale: f32,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn sgd_step_is_w_minus_lr_times_gradient() {
    let mut w = array![1.0_f64, -2.0];
    Sgd::new(0.1)
        .unwrap()
        .step(&mut w, &array![0.5, -1.0])
        .unwrap();
    assert!(close(w[0], 1.0 - 0.05) && close(w[1], -2.0 + 0.1));
}

#[test]
fn sgd_steps_every_tensor_of_a_nested_struct() {
    let mut p = Net {
        enc: Layer {
            w: Array2::ones((2, 3)),
            b: Array1::ones(3),
        },
        scale: 2.0,
    };
    let mut g = p.zeros_like();
    g.enc.w.fill(1.0);
    g.enc.b.fill(-2.0);
    g.scale = 4.0;
    Sgd::new(0.25).unwrap().step(&mut p, &g).unwrap();
    assert_eq!(p.enc.w, Array2::from_elem((2, 3), 0.75));
    assert_eq!(p.enc.b, Array1::from_elem(3, 1.5));
    assert_eq!(p.scale, 1.0);
}

#[test]
fn sgd_momentum_accumulates_velocity_across_steps() {
    let mut w = 0.0_f64;
    let mut opt = Sgd::with_config(SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        ..Default::default()
    })
    .unwrap();
    opt.step(&mut w, &1.0).unwrap(); // v = 1, w = -0.1
    opt.step(&mut w, &1.0).unwrap(); // v = 0.9 + 1 = 1.9, w = -0.1 - 0.19
    assert!(close(w, -0.29));
}

#[test]
fn nesterov_looks_ahead_by_momentum_times_velocity() {
    let mut w = 0.0_f64;
    let cfg = SgdConfig {
        lr: 0.1,
        momentum: 0.9,
        nesterov: true,
        ..Default::default()
    };
    let mut opt = Sgd::with_config(cfg).unwrap();
    opt.step(&mut w, &1.0).unwrap(); // v = 1, update = 1 + 0.9 = 1.9
    assert!(close(w, -0.19));
    opt.step(&mut w, &1.0).unwrap(); // v = 1.9, update = 1 + 1.71 = 2.71
    assert!(close(w, -0.19 - 0.271));
}

#[test]
fn sgd_weight_decay_adds_lambda_w_to_the_gradient() {
    let mut w = 2.0_f64;
    let cfg = SgdConfig {
        lr: 0.1,
        weight_decay: 0.5,
        ..Default::default()
    };
    Sgd::with_config(cfg).unwrap().step(&mut w, &1.0).unwrap(); // g = 1 + 1 = 2
    assert!(close(w, 1.8));
}

#[test]
fn adam_first_two_steps_match_the_bias_corrected_formula() {
    let mut w = 1.0_f64;
    let mut opt = Adam::new(0.1).unwrap();
    opt.step(&mut w, &0.5).unwrap();
    // m = 0.05, v = 0.00025, m̂ = 0.5, v̂ = 0.25
    let w1 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8);
    assert!(close(w, w1));
    let g = -1.0;
    opt.step(&mut w, &g).unwrap();
    let m = 0.9 * 0.05 + 0.1 * g;
    let v = 0.999 * 0.00025 + 0.001 * g * g;
    let m_hat = m / (1.0 - 0.9_f64 * 0.9);
    let v_hat = v / (1.0 - 0.999_f64 * 0.999);
    assert!((w - (w1 - 0.1 * m_hat / (v_hat.sqrt() + 1e-8))).abs() < 1e-12);
    assert_eq!(opt.steps(), 2);
}

#[test]
fn adamw_decays_weights_before_the_adam_step() {
    let mut w = 2.0_f64;
    Adam::adamw(0.1, 0.5).unwrap().step(&mut w, &3.0).unwrap();
    // w = 2·(1 - 0.1·0.5) = 1.9, then the first Adam step moves it by lr·g/(|g| + ε)
    assert!(close(w, 1.9 - 0.1 * 3.0 / (3.0 + 1e-8)));
}

#[test]
fn adam_works_on_f32_arrays() {
    let mut w = array![1.0_f32, 1.0];
    Adam::new(0.01)
        .unwrap()
        .step(&mut w, &array![2.0, -2.0])
        .unwrap();
    assert!((w[0] - 0.99).abs() < 1e-6 && (w[1] - 1.01).abs() < 1e-6);
}

/// A model whose tensors are long enough for the vectorised loop and its remainder.
fn varied(n: usize, m: usize, phase: f32) -> Layer {
    Layer {
        w: Array2::from_shape_fn((n, m), |(i, j)| ((i * m + j) as f32 * 0.37 + phase).sin()),
        b: Array1::from_shape_fn(m, |j| (j as f32 * 0.11 - phase).cos()),
    }
}

#[test]
fn adam_gives_the_same_bits_on_contiguous_and_strided_tensors() {
    // Row-major tensors take the contiguous slice loop, column-major ones (the same
    // values, transposed storage) the strided fallback: several AdamW steps must agree
    // bit for bit, for sizes around the vector width.
    for (n, m) in [(1, 1), (3, 5), (7, 9), (33, 17), (2, 40)] {
        let (mut rows, grad) = (varied(n, m, 0.0), varied(n, m, 1.3));
        let mut cols = rows.clone();
        cols.w = rows.w.t().as_standard_layout().into_owned().reversed_axes();
        assert_eq!(cols.w, rows.w);
        assert_eq!(
            cols.w.as_slice().is_none(),
            n > 1 && m > 1,
            "column-major storage"
        );
        let mut cols_grad = grad.clone();
        cols_grad.w = grad.w.t().as_standard_layout().into_owned().reversed_axes();
        let (mut a, mut b) = (
            Adam::adamw(0.01, 0.1).unwrap(),
            Adam::adamw(0.01, 0.1).unwrap(),
        );
        for _ in 0..3 {
            a.step(&mut rows, &grad).unwrap();
            b.step(&mut cols, &cols_grad).unwrap();
        }
        for (x, y) in rows
            .w
            .iter()
            .zip(cols.w.iter())
            .chain(rows.b.iter().zip(&cols.b))
        {
            assert_eq!(x.to_bits(), y.to_bits(), "{n}x{m}");
        }
        assert_ne!(rows.w, varied(n, m, 0.0).w, "the steps moved the weights");
    }
}

#[test]
fn negative_learning_rate_is_an_error_naming_the_value() {
    let err = Sgd::new(-0.5).unwrap_err();
    assert!(matches!(err, Error::InvalidConfig { name: "lr", .. }));
    assert!(err.to_string().contains("-0.5"), "{err}");
    assert!(matches!(
        Adam::new(f64::NAN),
        Err(Error::InvalidConfig { name: "lr", .. })
    ));
    let mut opt = Sgd::new(0.1).unwrap();
    assert!(opt.set_learning_rate(-1.0).is_err());
    assert_eq!(opt.learning_rate(), 0.1);
}

#[test]
fn out_of_range_hyper_parameters_are_named() {
    let bad_beta = Adam::with_config(AdamConfig {
        beta1: 1.0,
        ..Default::default()
    });
    assert!(matches!(
        bad_beta,
        Err(Error::InvalidConfig { name: "beta1", .. })
    ));
    let bad_mu = Sgd::with_config(SgdConfig {
        momentum: -0.1,
        ..Default::default()
    });
    assert!(matches!(
        bad_mu,
        Err(Error::InvalidConfig {
            name: "momentum",
            ..
        })
    ));
    let nesterov = Sgd::with_config(SgdConfig {
        nesterov: true,
        ..Default::default()
    });
    assert!(matches!(
        nesterov,
        Err(Error::InvalidConfig {
            name: "nesterov",
            ..
        })
    ));
}

#[test]
fn mis_shaped_gradient_is_an_error_and_changes_nothing() {
    let mut w = array![[1.0_f64, 2.0]];
    let err = Sgd::new(0.1)
        .unwrap()
        .step(&mut w, &array![[1.0], [1.0]])
        .unwrap_err();
    assert!(matches!(err, Error::Shape { .. }));
    assert_eq!(w, array![[1.0, 2.0]]);
}

#[test]
fn stateful_optimizer_refuses_a_different_model_until_reset() {
    let mut opt = Adam::new(0.1).unwrap();
    let mut a = array![1.0_f64, 2.0];
    opt.step(&mut a, &array![1.0, 1.0]).unwrap();
    let mut b = array![1.0_f64, 2.0, 3.0];
    let g = array![1.0, 1.0, 1.0];
    assert!(matches!(
        opt.step(&mut b, &g),
        Err(Error::InvalidConfig {
            name: "optimizer",
            ..
        })
    ));
    opt.reset();
    opt.step(&mut b, &g).unwrap();
}

#[test]
fn step_decay_multiplies_by_gamma_every_k_epochs() {
    let s = Schedule::StepDecay {
        every: 3,
        gamma: 0.1,
    };
    let lrs: Vec<f64> = (0..7).map(|e| s.lr(1.0, e)).collect();
    assert_eq!(lrs[..3], [1.0, 1.0, 1.0]);
    assert!(close(lrs[3], 0.1) && close(lrs[5], 0.1) && close(lrs[6], 0.01));
}

#[test]
fn cosine_anneals_from_base_to_min_then_stays() {
    let s = Schedule::Cosine {
        epochs: 4,
        min_lr: 0.1,
    };
    assert!(close(s.lr(1.0, 0), 1.0));
    assert!(close(s.lr(1.0, 2), 0.55));
    assert!(close(
        s.lr(1.0, 1),
        0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI / 4.0).cos())
    ));
    assert!(close(s.lr(1.0, 4), 0.1) && close(s.lr(1.0, 9), 0.1));
    assert!(
        Schedule::Cosine {
            epochs: 0,
            min_lr: 0.0
        }
        .validate()
        .is_err()
    );
}
