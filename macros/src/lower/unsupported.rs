//! The catalogue of constructs a body may not contain, each with the reason and what to
//! write instead. Every message names the construct and is spanned on it.

use syn::{BinOp, Expr};

use crate::ctxt::Ctxt;
use crate::ir::ops::{functions_list, methods_list};

pub const MACRO: &str = "macros are not supported in #[differentiable] functions besides `concatenate![Axis(k), a, b]`, `stack![Axis(k), a, b]` and `s![..]` inside `x.slice(..)`; compute with let bindings and supported operations";

/// For an expression that is none of the supported forms nor a known mistake.
pub fn unknown_expression() -> String {
    format!(
        "this expression is not supported in #[differentiable] functions; use arithmetic (+ - * /), float literals, constants, methods ({}) and functions ({})",
        methods_list(),
        functions_list()
    )
}

/// A statement that is not a `let`, before the end: say why it cannot be lowered.
pub fn statement(cx: &mut Ctxt, e: &Expr, tensor: bool) {
    match e {
        Expr::Return(r) => cx.error(r, "early `return` is not supported; a #[differentiable] function returns its final expression"),
        _ => {
            if !expr(cx, e, tensor) {
                cx.error(e, "only `let` bindings and a final expression are supported in a #[differentiable] function body");
            }
        }
    }
}

/// Reports constructs with a specific explanation; false if `e` is not one of them.
pub fn expr(cx: &mut Ctxt, e: &Expr, tensor: bool) -> bool {
    let message = match e {
        Expr::ForLoop(_) => {
            "a `for` loop is a statement of the function's body: carry a value through it (`let mut h = ...; for l in &p.layers { h = ...; }`) and use `h` after it"
        }
        Expr::While(_) => {
            "this `while` is not supported: the number of iterations must not depend on values the body computes; write `for i in 0..n`, or count: `let mut i = 0;` before `while i < n { ..; i += 1; }`"
        }
        Expr::Loop(_) => {
            "this `loop` is not supported: a #[differentiable] loop runs a number of times the integers fix; write `for i in 0..n`, or count: `let mut i = 0;` before `loop { if i >= n { break; } ..; i += 1; }` (the test may also come last, after `i += 1`)"
        }
        Expr::If(_) => {
            "an `if` in a #[differentiable] function gives a value (`let v = if c { a } else { b };`) or returns early (`if c { return a; }`)"
        }
        Expr::Match(_) => {
            "a `match` in a #[differentiable] function gives a value chosen by a configuration argument (`let y = match act { Act::Tanh => tanh(x), Act::Relu => relu(x) };`)"
        }
        Expr::Assign(_) => {
            "assignment is supported only as a statement of a `for` loop, re-assigning a `let mut` value; elsewhere bind a new name with `let` (shadowing is fine)"
        }
        Expr::Binary(b) if is_compound_assign(&b.op) => {
            "compound assignment is supported only as a statement of a `for` loop, updating a `let mut` value; elsewhere write `let x = x + ...;`"
        }
        Expr::Break(_) | Expr::Continue(_) => {
            "`break` and `continue` are not supported: a #[differentiable] loop runs its whole body every iteration"
        }
        Expr::Reference(r) if r.mutability.is_some() => {
            "`&mut` is not supported: #[differentiable] code does not mutate"
        }
        Expr::Macro(_) => MACRO,
        Expr::Cast(_) => {
            "`as` casts are not supported in #[differentiable] functions; use float values of the function's float type throughout"
        }
        Expr::Block(_) | Expr::Unsafe(_) => {
            "nested blocks are not supported in #[differentiable] functions; use `let` bindings at the top level of the body"
        }
        Expr::Closure(_) => "closures are not supported in #[differentiable] functions",
        Expr::Await(_) | Expr::Async(_) => {
            "async code is not supported in #[differentiable] functions"
        }
        Expr::Index(_) if tensor => {
            "indexing is supported only to read a tensor of one element of a stack of parameter structs by a literal index (`p.layers[0].w`)"
        }
        Expr::Index(_) => {
            "indexing is not supported in scalar #[differentiable] functions; pass the values as separate arguments"
        }
        Expr::Field(_) if tensor => {
            "only fields of a parameter-struct argument (`p.w1`, `p.enc.w1`) can be read in #[differentiable] functions"
        }
        Expr::Field(_) => {
            "field access is not supported in scalar #[differentiable] functions; pass the values as separate arguments, or a `&Params` struct with array fields"
        }
        Expr::Try(_) => "`?` is not supported in #[differentiable] functions",
        _ => return false,
    };
    cx.error(e, message);
    true
}

/// A method that is not in the op table: a known mistake, or unknown.
pub fn method(cx: &mut Ctxt, m: &syn::ExprMethodCall, tensor: bool) {
    let name = m.method.to_string();
    let at = &m.method;
    match name.as_str() {
        "mean" if tensor => cx.error(at, "ndarray's `mean()` returns an `Option`; write `mean(x)` for the mean of every element, or `x.mean_axis(Axis(k))` along an axis"),
        "map" | "mapv" | "mapv_into" | "map_inplace" | "mapv_inplace" => cx.error(at, format!(
            "closures are not differentiated, so `{name}` is not supported in #[differentiable] functions; apply the operation to the whole array instead (`tanh(x)`, `x * 2.0`, `x.powi(2)`, `relu(x)`)"
        )),
        "floor" | "ceil" | "round" | "round_ties_even" | "trunc" | "fract" | "signum"
        | "rem_euclid" | "div_euclid" | "clamp" | "copysign" => cx.error(at, format!(
            "`{name}` is not differentiable (its derivative is zero or undefined almost everywhere) and is not supported in #[differentiable] functions"
        )),
        _ => cx.error(at, format!(
            "unknown method `{name}` in a #[differentiable] function; supported methods: {}",
            methods_list()
        )),
    }
}

pub fn is_compound_assign(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}
