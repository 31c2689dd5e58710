//! The IR's compact text form: `(* (- a y) x1)`. Rewrite laws and derivative templates
//! are written in it, and tests state their expectations in it. Heads are op names from
//! the op table; an op's payload is an extra atom after its operands: `(powi x 2)`.

use std::fmt;

use crate::ir::graph::Op;
#[cfg(test)]
use crate::ir::{Graph, NodeId};

/// A parsed s-expression: an atom or a parenthesised list.
#[derive(Clone, Debug, PartialEq)]
pub enum Sexpr {
    Atom(String),
    List(Vec<Sexpr>),
}

/// Reads one s-expression.
pub fn read(text: &str) -> Result<Sexpr, String> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let e = read_at(&tokens, &mut pos)?;
    if pos != tokens.len() {
        return Err(format!("trailing tokens in `{text}`"));
    }
    Ok(e)
}

fn read_at(tokens: &[&str], pos: &mut usize) -> Result<Sexpr, String> {
    let tok = *tokens.get(*pos).ok_or("unexpected end")?;
    *pos += 1;
    match tok {
        ")" => Err("unexpected `)`".to_string()),
        "(" => {
            let mut items = Vec::new();
            while tokens.get(*pos) != Some(&")") {
                if *pos >= tokens.len() {
                    return Err("missing `)`".to_string());
                }
                items.push(read_at(tokens, pos)?);
            }
            *pos += 1;
            Ok(Sexpr::List(items))
        }
        atom => Ok(Sexpr::Atom(atom.to_string())),
    }
}

impl fmt::Display for Sexpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sexpr::Atom(a) => f.write_str(a),
            Sexpr::List(items) => {
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
        }
    }
}

/// A list read as an op application: `(powi x 2)` is `powi` applied to `x`, payload `2`.
pub struct Application<'a> {
    pub name: &'a str,
    pub operands: &'a [Sexpr],
    pub payload: Option<&'a str>,
}

/// A list as an op application: its head names an op of the table, and when the list has
/// one atom more than the op takes operands, that atom is the payload.
pub fn application(items: &[Sexpr]) -> Result<Application<'_>, String> {
    let Some((Sexpr::Atom(name), rest)) = items.split_first() else {
        return Err("a list must start with an op name".to_string());
    };
    let op = Op::example(name).ok_or_else(|| format!("unknown op `{name}`"))?;
    let arity = op.spec().arity;
    let (operands, payload) = match (rest.len().checked_sub(arity), rest.last()) {
        (Some(0), _) => (rest, None),
        (Some(1), Some(Sexpr::Atom(p))) => (&rest[..arity], Some(p.as_str())),
        _ => {
            return Err(format!(
                "`{name}` takes {arity} operand(s), found {}",
                rest.len()
            ));
        }
    };
    Ok(Application {
        name,
        operands,
        payload,
    })
}

/// A node printed as an s-expression; leaves print as their names or values.
#[cfg(test)]
pub fn print(g: &Graph, id: NodeId) -> String {
    let op = g.op(id);
    match op {
        Op::Input(i) => g.inputs[*i as usize].name.clone(),
        Op::Const(_) => format!("{}", g.const_value(id).unwrap_or(f64::NAN)),
        Op::Named(i) => g.consts[*i as usize].text.clone(),
        _ => {
            let mut s = format!("({}", op.name());
            for &a in g.args(id) {
                s.push(' ');
                s.push_str(&print(g, a));
            }
            if let Some(p) = op.payload() {
                s.push_str(&format!(" {p}"));
            }
            s.push(')');
            s
        }
    }
}

/// Builds `text` through `b`: atoms that are numbers are constants, other atoms inputs of
/// that name (created on first use).
#[cfg(test)]
pub fn build(b: &mut crate::simplify::Builder, text: &str) -> NodeId {
    let e = read(text).unwrap_or_else(|e| panic!("{e}"));
    build_at(b, &e)
}

#[cfg(test)]
fn build_at(b: &mut crate::simplify::Builder, e: &Sexpr) -> NodeId {
    use proc_macro2::Span;
    match e {
        Sexpr::Atom(a) => match a.parse::<f64>() {
            Ok(v) => b.constant(v),
            Err(_) => match b.graph().inputs.iter().position(|i| i.name == *a) {
                Some(i) => b.node(Op::Input(i as u32), Vec::new(), Span::call_site()),
                None => b.input(a),
            },
        },
        Sexpr::List(items) => {
            let app = application(items).unwrap_or_else(|e| panic!("{e}"));
            let op = Op::from_parts(app.name, app.payload).unwrap_or_else(|| panic!("bad op {e}"));
            let args = app.operands.iter().map(|o| build_at(b, o)).collect();
            b.node(op, args, Span::call_site())
        }
    }
}
