//! A function's computational graph at one point: every node of the forward DAG as the
//! user wrote it, with its value and its adjoint `dL/d(node)`. `#[differentiable]`
//! emits `f::trace(args)` for scalar functions; [`GraphTrace::to_svg`] and
//! [`GraphTrace::save`] draw it.

/// What a node of a traced graph is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TraceKind {
    /// A function argument that is differentiated.
    Parameter,
    /// A function argument that is not (data, targets).
    Input,
    /// A literal or a named constant.
    Constant,
    /// An operation of the body.
    Operation,
    /// The function's result, `L`.
    Result,
}

/// One node: what the DOT graph labels it (`a = sigmoid`, `w1`, `0.5`), its value and
/// the derivative of the result with respect to it.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceNode {
    /// The node's label: its name and op, or the argument's name, or the constant.
    pub label: String,
    /// The name derivatives call it by (`a`, `w1`), when it has one.
    pub name: Option<String>,
    /// What the node is.
    pub kind: TraceKind,
    /// The forward value at the traced point.
    pub value: f64,
    /// `dL/d(node)` at the traced point.
    pub adjoint: f64,
}

/// A forward graph with values and adjoints; `edges` run from operand to user, as
/// indices into `nodes` (operands come first).
#[derive(Debug, Clone, PartialEq)]
pub struct GraphTrace {
    /// The function's name.
    pub name: String,
    /// The nodes, operands before users.
    pub nodes: Vec<TraceNode>,
    /// `(operand, user)` pairs of indices into `nodes`.
    pub edges: Vec<(usize, usize)>,
}

impl TraceNode {
    /// The node's second line in a picture: `value 0.731059`.
    pub fn value_text(&self) -> String {
        format!("value {}", significant(self.value))
    }

    /// The node's third line in a picture: `dL/da -0.268941` (`dL/d·` for unnamed ones).
    pub fn adjoint_text(&self) -> String {
        let of = self.name.as_deref().unwrap_or("·");
        format!("dL/d{of} {}", significant(self.adjoint))
    }
}

/// `x` with six significant digits, as a person reads it (`0.731059`, `-1.2e-7`).
pub fn significant(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-4..6).contains(&magnitude) {
        return format!("{x:.5e}");
    }
    let decimals = (5 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_six_significant_digits() {
        assert_eq!(significant(0.7310585786300049), "0.731059");
        assert_eq!(significant(-0.2689414213699951), "-0.268941");
        assert_eq!(significant(2.0), "2");
        assert_eq!(significant(1234.5678), "1234.57");
        assert_eq!(significant(1.0e-7), "1.00000e-7");
        assert_eq!(significant(0.0), "0");
    }
}
