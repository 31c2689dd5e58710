//! A tiny evaluator for graphs, used only by tests: it gives every node an `f64` value
//! from the op table's meanings, so derivative rules and rewrites can be checked
//! numerically without compiling Rust.

use crate::ir::{Graph, Op};

/// The value of every node, given one value per graph input. Named constants must be
/// listed in `consts` by the text the user wrote. Array operations have no float value:
/// NaN.
pub fn eval(g: &Graph, inputs: &[f64], consts: &[(&str, f64)]) -> Vec<f64> {
    let mut values: Vec<f64> = Vec::with_capacity(g.len());
    for id in g.ids() {
        let v = match g.op(id) {
            Op::Input(i) => inputs[*i as usize],
            Op::Named(i) => {
                let text = &g.consts[*i as usize].text;
                consts
                    .iter()
                    .find(|(t, _)| t == text)
                    .unwrap_or_else(|| panic!("no value for constant {text}"))
                    .1
            }
            op => {
                let args: Vec<f64> = g.args(id).iter().map(|a| values[a.index()]).collect();
                op.eval(&args).unwrap_or(f64::NAN)
            }
        };
        values.push(v);
    }
    values
}
