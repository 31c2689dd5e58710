//! A compact text form of the IR for tests: `(* (- a y) x1)`. Leaves print as their
//! names or values; `powi` prints its exponent last: `(powi x 2)`.

use proc_macro2::Span;

use crate::graph::{Fun, Graph, NodeId, Op, Rules};

pub fn print(g: &Graph, id: NodeId) -> String {
    let op = g.op(id);
    match op {
        Op::Input(i) => g.inputs[*i as usize].name.clone(),
        Op::Const(_) => format!("{}", g.const_value(id).expect("a constant")),
        Op::Named(i) => g.consts[*i as usize].text.clone(),
        _ => {
            let mut s = format!("({}", op.name());
            for &a in g.args(id) {
                s.push(' ');
                s.push_str(&print(g, a));
            }
            if let Op::Powi(n) = op {
                s.push_str(&format!(" {n}"));
            }
            s.push(')');
            s
        }
    }
}

/// Parses `text` into `g` (inputs are created by name on first use) and returns the root.
pub fn parse(g: &mut Graph, text: &str) -> NodeId {
    let tokens: Vec<String> = text
        .replace('(', " ( ")
        .replace(')', " ) ")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut pos = 0;
    let id = parse_at(g, &tokens, &mut pos);
    assert_eq!(pos, tokens.len(), "trailing tokens in {text}");
    id
}

fn parse_at(g: &mut Graph, tokens: &[String], pos: &mut usize) -> NodeId {
    let tok = tokens[*pos].clone();
    *pos += 1;
    if tok != "(" {
        if let Ok(v) = tok.parse::<f64>() {
            return g.constant(v);
        }
        let existing = g.inputs.iter().position(|i| i.name == tok);
        return match existing {
            Some(i) => g.intern(Op::Input(i as u32), Vec::new(), Span::call_site()),
            None => g.input(&tok, Span::call_site()),
        };
    }
    let head = tokens[*pos].clone();
    *pos += 1;
    let mut args = Vec::new();
    while tokens[*pos] != ")" {
        if head == "powi" && args.len() == 1 {
            break;
        }
        args.push(parse_at(g, tokens, pos));
    }
    let op = match head.as_str() {
        "+" => Op::Add,
        "-" => Op::Sub,
        "*" => Op::Mul,
        "/" => Op::Div,
        "neg" => Op::Neg,
        "powi" => {
            let n = tokens[*pos].parse().expect("powi exponent");
            *pos += 1;
            Op::Powi(n)
        }
        "powf" => Op::Powf,
        "max" => Op::Max,
        "min" => Op::Min,
        "ge" => Op::Ge,
        "bce" => Op::Bce,
        "bce_logits" => Op::BceLogits,
        "mse" => Op::Mse,
        "softmax" => Op::Softmax,
        "cross_entropy" => Op::CrossEntropy,
        "dot" => Op::Dot,
        "shape_of" => Op::ShapeOf,
        "sum_to" => Op::SumTo,
        "mse_vjp" => Op::MseVjp,
        name => Op::Fun(
            *Fun::ALL
                .iter()
                .find(|f| f.name() == name)
                .unwrap_or_else(|| panic!("unknown op {name}")),
        ),
    };
    assert_eq!(tokens[*pos], ")", "expected ) after ({head} ...");
    *pos += 1;
    g.node_at(op, args, Span::call_site())
}

/// Parses `text` into a graph with `rules` and prints what it became.
pub fn simplified(text: &str, rules: Rules) -> String {
    let mut g = Graph::new(rules);
    let id = parse(&mut g, text);
    print(&g, id)
}
