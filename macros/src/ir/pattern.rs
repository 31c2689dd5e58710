//! Patterns over the IR, written as s-expressions: the left side of a rewrite law is
//! matched against a node about to be created, and the right side (or a derivative
//! template) is built from the bindings.
//!
//! `?x` stands for any node (the same name twice, the same node), `#c` for a constant,
//! a number for that constant. In derivative templates `?k` after an op's operands is the
//! payload of the node being differentiated, and `(like ?a)` is `?a` itself if it is a
//! leaf, else its shape (so that `?a` can still be consumed in place).

use proc_macro2::Span;

use super::build::Build;
use crate::ir::sexpr::{Sexpr, application, read};
use crate::ir::{Graph, NodeId, Op};

#[derive(Clone, Debug)]
pub enum Pattern {
    /// `?x`: any node.
    Any(String),
    /// `#c`: any constant.
    Constant(String),
    /// A float literal.
    Literal(f64),
    /// An op applied to operand patterns.
    Apply(Head, Vec<Pattern>),
    /// `(like ?a)`.
    Like(Box<Pattern>),
}

/// The op of an [`Pattern::Apply`].
#[derive(Clone, Debug)]
pub enum Head {
    Op(Op),
    /// The op called this, with the payload of the node being differentiated (`?k`).
    PayloadOfSite(&'static str),
}

/// Variable bindings, in the order they were bound.
pub type Bindings = Vec<(String, NodeId)>;

fn lookup(b: &Bindings, name: &str) -> Option<NodeId> {
    b.iter().find(|(n, _)| n == name).map(|(_, id)| *id)
}

impl Pattern {
    pub fn parse(text: &str) -> Result<Pattern, String> {
        Pattern::from_sexpr(&read(text)?).map_err(|e| format!("{e} in `{text}`"))
    }

    fn from_sexpr(e: &Sexpr) -> Result<Pattern, String> {
        match e {
            Sexpr::Atom(a) if a.starts_with('?') => Ok(Pattern::Any(a.clone())),
            Sexpr::Atom(a) if a.starts_with('#') => Ok(Pattern::Constant(a.clone())),
            Sexpr::Atom(a) => a
                .parse::<f64>()
                .map(Pattern::Literal)
                .map_err(|_| format!("`{a}` is neither a variable nor a number")),
            Sexpr::List(items) if matches!(items.first(), Some(Sexpr::Atom(h)) if h == "like") => {
                match &items[1..] {
                    [inner] => Ok(Pattern::Like(Box::new(Pattern::from_sexpr(inner)?))),
                    _ => Err("`like` takes one operand".to_string()),
                }
            }
            Sexpr::List(items) => {
                let app = application(items)?;
                let (name, payload) = (app.name, app.payload);
                let head = match payload {
                    Some("?k") => {
                        let op = Op::example(name).ok_or("unknown op")?;
                        Head::PayloadOfSite(op.name())
                    }
                    _ => Head::Op(
                        Op::from_parts(name, payload)
                            .ok_or_else(|| format!("bad payload for `{name}`"))?,
                    ),
                };
                let args = app
                    .operands
                    .iter()
                    .map(Pattern::from_sexpr)
                    .collect::<Result<_, _>>()?;
                Ok(Pattern::Apply(head, args))
            }
        }
    }

    /// The variables a pattern binds or reads, in first-use order.
    #[cfg(test)]
    pub fn variables(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_variables(&mut out);
        out
    }

    #[cfg(test)]
    fn collect_variables(&self, out: &mut Vec<String>) {
        match self {
            Pattern::Any(v) | Pattern::Constant(v) => {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
            Pattern::Literal(_) => {}
            Pattern::Apply(_, args) => args.iter().for_each(|a| a.collect_variables(out)),
            Pattern::Like(inner) => inner.collect_variables(out),
        }
    }

    /// The op at the root, if the pattern is an application of a fixed op.
    pub fn root_op(&self) -> Option<&Op> {
        match self {
            Pattern::Apply(Head::Op(op), _) => Some(op),
            _ => None,
        }
    }

    /// Matches the node `op(args)` that is about to be created.
    pub fn match_root(&self, g: &Graph, op: &Op, args: &[NodeId]) -> Option<Bindings> {
        let Pattern::Apply(Head::Op(want), pats) = self else {
            return None;
        };
        if want != op || pats.len() != args.len() {
            return None;
        }
        let mut b = Bindings::new();
        pats.iter()
            .zip(args)
            .all(|(p, &a)| p.matches(g, a, &mut b))
            .then_some(b)
    }

    fn matches(&self, g: &Graph, id: NodeId, b: &mut Bindings) -> bool {
        match self {
            Pattern::Any(v) => bind(b, v, id),
            Pattern::Constant(v) => g.const_value(id).is_some() && bind(b, v, id),
            Pattern::Literal(c) => g.const_value(id) == Some(*c),
            Pattern::Apply(Head::Op(op), pats) => {
                g.op(id) == op
                    && pats.len() == g.args(id).len()
                    && pats
                        .iter()
                        .zip(g.args(id))
                        .all(|(p, &a)| p.matches(g, a, b))
            }
            Pattern::Apply(Head::PayloadOfSite(_), _) | Pattern::Like(_) => false,
        }
    }

    /// Builds the pattern's nodes through `builder` (so rewrites apply to them), reading
    /// variables from `b` and `?k` from `payload`. Nodes carry `span`.
    pub fn build(
        &self,
        builder: &mut dyn Build,
        b: &Bindings,
        payload: Option<i64>,
        span: Span,
    ) -> NodeId {
        match self {
            Pattern::Any(v) | Pattern::Constant(v) => {
                lookup(b, v).expect("templates read only bound variables (checked by tests)")
            }
            Pattern::Literal(c) => builder.constant(*c),
            Pattern::Like(inner) => {
                let x = inner.build(builder, b, payload, span);
                builder.like(x, span)
            }
            Pattern::Apply(head, pats) => {
                let args = pats
                    .iter()
                    .map(|p| p.build(builder, b, payload, span))
                    .collect();
                let op = match head {
                    Head::Op(op) => op.clone(),
                    Head::PayloadOfSite(name) => {
                        let p = payload.map(|p| p.to_string());
                        Op::from_parts(name, p.as_deref())
                            .expect("`?k` is used only in templates of ops with a payload")
                    }
                };
                builder.node(op, args, span)
            }
        }
    }
}

fn bind(b: &mut Bindings, name: &str, id: NodeId) -> bool {
    match lookup(b, name) {
        Some(bound) => bound == id,
        None => {
            b.push((name.to_string(), id));
            true
        }
    }
}
