//! The end of a loop's lowering: its body cut out of the function's graph into a
//! [`LoopBody`], and the `Loop` node that stands for it.

use std::rc::Rc;

use proc_macro2::TokenStream;

use super::super::body::Body;
use super::LoopCtx;
use crate::ir::Rewrites;
use crate::ir::graph::depends_on;
use crate::ir::loops::{LoopBody, extract};
use crate::ir::{Graph, NodeId, Op};

impl Body<'_> {
    /// Cuts the loop's body out of the graph: a [`LoopBody`] and the `Loop` node. Returns
    /// the carried values after the loop, then the pushed `Vec`s: the `Loop` node itself
    /// when it carries one value and pushes none, else a `LoopOut` node per value.
    pub(super) fn cut(
        &mut self,
        ctx: LoopCtx,
        inits: Vec<NodeId>,
        outputs: Vec<NodeId>,
        range: TokenStream,
        source: String,
        span: proc_macro2::Span,
    ) -> Vec<NodeId> {
        let src: &Graph = self.graph;
        let pushed: Vec<NodeId> = ctx.pushes.iter().map(|(_, v)| *v).collect();
        let mut roots = outputs.clone();
        roots.extend(&pushed);
        let mut sources = ctx.carry_inputs.clone();
        sources.extend(ctx.elements.iter().map(|e| e.input));
        // Integers that read the index (`t + 1` in `x.index_axis(Axis(1), t + 1)`) are
        // the body's own: what reads them runs in the loop.
        sources.extend(src.ids().filter(|&id| match src.op(id) {
            Op::Named(k) => {
                crate::lower::integers::reads_loop_index(&src.consts[*k as usize].tokens)
            }
            _ => false,
        }));
        let keep = depends_on(src, &sources);

        let mut body = Graph::default();
        body.consts = src.consts.clone();
        body.customs = src.customs.clone();
        // A loop inside an inlined helper keeps its index into the same table.
        body.loops = src.loops.clone();
        let mut map = vec![None; src.len()];
        let carries: Vec<NodeId> = ctx
            .carry_inputs
            .iter()
            .map(|&c| {
                let id = body.input(&src.inputs[input_index(src, c)].name, span);
                map[c.index()] = Some(id);
                id
            })
            .collect();
        let mut elements = ctx.elements.clone();
        for e in &mut elements {
            let name = src.inputs[input_index(src, e.input)].name.clone();
            let id = body.input(&name, span);
            map[e.input.index()] = Some(id);
            e.input = id;
        }
        let mut captured: Vec<NodeId> = Vec::new();
        let mut captures: Vec<NodeId> = Vec::new();
        let map = extract(src, &mut body, &roots, &keep, false, map, |dst, outer| {
            // A value computed outside the loop reads as its formula: `(2 * rate)`.
            let name = src.name(outer).map(str::to_string).unwrap_or_else(|| {
                let text = crate::ir::print::infix(src, outer);
                if text.contains(' ') {
                    format!("({text})")
                } else {
                    text
                }
            });
            captured.push(outer);
            let id = dst.input(&name, src.node(outer).span);
            captures.push(id);
            id
        });
        let mut body_outputs = Vec::new();
        for (&output, name) in outputs.iter().zip(&ctx.carried) {
            let out = map[output.index()].expect("the output is copied");
            body.set_name(out, &format!("{name}[{}]", ctx.index_text));
            body_outputs.push(out);
        }
        let pushes: Vec<NodeId> = pushed
            .iter()
            .map(|p| map[p.index()].expect("a pushed value is copied"))
            .collect();

        let mut args = inits;
        args.extend(&captured);
        args.extend(ctx.collections.iter().map(|c| c.1));
        let index = self.graph.loops.len() as u32;
        self.graph.loops.push(Rc::new(LoopBody {
            graph: body,
            outputs: body_outputs,
            carries,
            pushes,
            pushed: ctx.pushes.iter().map(|(n, _)| n.clone()).collect(),
            captures,
            elements,
            collections: ctx.collections.iter().map(|c| c.0.clone()).collect(),
            range,
            source,
            collection_names: ctx.collections.iter().map(|c| c.2.clone()).collect(),
            carried: ctx.carried.clone(),
            index: ctx.index_text.clone(),
            rewrites: Rewrites {
                assume_finite: self.assume_finite,
                ..Rewrites::EXACT
            },
            tensor: self.tensor,
        }));
        let node = self.node(Op::Loop(index), args, span);
        if let ([carried], []) = (&ctx.carried[..], &ctx.pushes[..]) {
            self.graph.set_name(node, carried);
            return vec![node];
        }
        let names = ctx.carried.iter().chain(ctx.pushes.iter().map(|(n, _)| n));
        names
            .enumerate()
            .map(|(j, name)| {
                let out = self.node(Op::LoopOut(j as u32), vec![node], span);
                self.graph.set_name(out, name);
                out
            })
            .collect()
    }
}

fn input_index(g: &Graph, id: NodeId) -> usize {
    match g.op(id) {
        Op::Input(i) => *i as usize,
        _ => unreachable!("loop sources are inputs"),
    }
}
