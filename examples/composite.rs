//! Step 1 of the course: the computational graph of a composite function,
//! f(x) = e^{sin(x²)}, and its derivative by the chain rule.
//!
//! ```text
//! cargo run --release --example composite -- [X] [--dot FILE] [--svg FILE]
//! ```
//!
//! Prints f(x), f'(x) from the generated code next to the hand-derived
//! 2x·cos(x²)·e^{sin(x²)}, the derivation the macro found, the chain rule before
//! simplification, and the graph in Graphviz DOT (written to FILE with `--dot`; render
//! it with `dot -Tpng FILE -o graph.png`). `--svg FILE` draws the graph itself, each node
//! with its value and its derivative at x (a `.png` name gives a PNG). Last, it minimises
//! f by gradient descent and by Newton's method, whose second derivative comes from the
//! generated `composite::hvp`.

use std::process::ExitCode;

use cadena::prelude::*;

#[differentiable]
fn composite(x: f64) -> f64 {
    let u = x.powi(2);
    let v = u.sin();
    v.exp()
}

fn main() -> ExitCode {
    let mut x = 1.2;
    let (mut dot_path, mut svg_path) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let slot = match arg.as_str() {
            "--dot" => &mut dot_path,
            "--svg" => &mut svg_path,
            other => match other.parse() {
                Ok(v) => {
                    x = v;
                    continue;
                }
                Err(_) => {
                    eprintln!(
                        "error: expected a number, --dot FILE or --svg FILE, found `{other}`"
                    );
                    return ExitCode::from(2);
                }
            },
        };
        match args.next() {
            Some(p) => *slot = Some(p),
            None => {
                eprintln!("error: {arg} needs a file name");
                return ExitCode::from(2);
            }
        }
    }

    let (value, grad) = composite::grad(x);
    let by_hand = 2.0 * x * (x * x).cos() * (x * x).sin().exp();
    println!("f(x) = e^(sin(x^2)) at x = {x}");
    println!("  f(x)            = {value:.12}");
    println!("  f'(x) generated = {:.12}", grad.x);
    println!("  f'(x) by hand   = {by_hand:.12}  (2x cos(x^2) e^(sin(x^2)))");
    println!("\nderivation (simplified):\n  {}", composite::DERIVATION);
    println!("\nchain rule, step by step:\n{}", composite::EXPLAIN);
    match dot_path {
        Some(path) => match std::fs::write(&path, composite::GRAPH_DOT) {
            Ok(()) => println!("\ngraph written to {path} (render: dot -Tpng {path} -o graph.png)"),
            Err(e) => {
                eprintln!("error: cannot write {path}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => println!(
            "\ncomputational graph (Graphviz DOT):\n{}",
            composite::GRAPH_DOT
        ),
    }
    descend();
    if let Some(path) = svg_path {
        match composite::trace(x).save(&path) {
            Ok(()) => println!("\ngraph with values and derivatives at x = {x} drawn to {path}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

/// Minimising e^{sin(x²)} from x = 2 two ways: gradient descent (`x -= η f'(x)`) and
/// Newton's method (`x -= f'(x) / f''(x)`, the second derivative from `composite::hvp`).
/// The minimum is at x² = 3π/2, x = 2.170804.
fn descend() {
    let (mut gd, mut newton) = (2.0_f64, 2.0_f64);
    let lr = 0.05;
    println!(
        "\nminimising f from x = 2 (minimum at x = sqrt(3π/2) = {:.6}):",
        (1.5 * std::f64::consts::PI).sqrt()
    );
    println!("  step   gradient descent (η = {lr})   Newton (f'' from composite::hvp)");
    for step in 1..=6 {
        gd -= lr * composite::grad(gd).1.x;
        let slope = composite::grad(newton).1.x;
        let curvature = composite::hvp(newton, &composite::Grad { x: 1.0 }).x;
        newton -= slope / curvature;
        println!("  {step:>4}   {gd:>25.6}   {newton:>32.6}");
    }
}
