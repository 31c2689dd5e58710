//! What every backward run of a loop does with the adjoints one iteration gives: sums
//! the captures' over the iterations, and writes each element's at the iteration's index
//! of its collection's gradient (or of the sink the collection's gradient is built in).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::access::{adjoint, capture};
use super::stacks::Sink;
use crate::emit::expr::accumulate_into_slot;
use crate::ir::loops::{Collection, LoopBody, LoopDerivative};
use crate::ir::names::collection_local;

/// The adjoints one iteration's backward statements give, by position among the
/// backward graph's gradients.
pub(super) struct Adjoints {
    pub positions: Vec<usize>,
    pub exprs: Vec<TokenStream>,
}

impl Adjoints {
    pub fn of(&self, p: usize) -> &TokenStream {
        &self.exprs[self.positions.iter().position(|&q| q == p).expect("wanted")]
    }
}

/// A loop, its derivative, and where its stacks' gradients go.
pub(super) struct Sums<'a> {
    pub body: &'a LoopBody,
    pub d: &'a LoopDerivative,
    pub sinks: &'a [Option<Sink>],
}

impl Sums<'_> {
    fn stack_capture(&self, c: usize) -> bool {
        self.body.captures_stack(c)
    }

    /// Whether the adjoint at position `p` of the body's inputs is never anything but 0.
    pub fn is_zero(&self, p: usize) -> bool {
        let d = self.d;
        d.back_grads[p].is_none_or(|g| d.back.const_value(g) == Some(0.0))
    }

    /// The zeros each wanted adjoint sums into, and the run's value: the carried values'
    /// adjoints (`carried`), then the other operands' (`()` for those not wanted, or
    /// written in place into a sink).
    pub fn init_and_result(&self, carried: Vec<TokenStream>) -> (TokenStream, Vec<TokenStream>) {
        let (body, wanted, t) = (
            self.body,
            &self.d.wanted[..],
            quote!(::cadena::__private::t),
        );
        let mut init = TokenStream::new();
        let mut result = carried;
        for c in 0..body.captures.len() {
            let j = body.capture_operand(c);
            if !wanted[j] {
                result.push(quote!(()));
                continue;
            }
            let (dj, cap) = (adjoint(j), capture(j));
            init.extend(match self.stack_capture(c) {
                true => quote!(let mut #dj = ::cadena::Parameters::zeros_like(#cap);),
                false => quote!(let mut #dj = #t::zeros_as(#cap);),
            });
            result.push(quote!(#dj));
        }
        for (c, kind) in body.collections.iter().enumerate() {
            let j = body.collection_operand(c);
            // Written in place into the gradient being built when there is a sink.
            if !wanted[j] || self.sinks[c].is_some() {
                result.push(quote!(()));
                continue;
            }
            let (dj, coll) = (adjoint(j), collection_local(c));
            init.extend(match kind {
                Collection::Indexed => {
                    quote!(let mut #dj = ::cadena::Parameters::zeros_like(#coll);)
                }
                Collection::Axis(_) => quote!(let mut #dj = #t::zeros_as(#coll);),
            });
            result.push(quote!(#dj));
        }
        (init, result)
    }

    /// The captures' adjoints, summed over the iterations.
    pub fn sum_captures(&self, code: &mut TokenStream, adjoints: &Adjoints) {
        let t = quote!(::cadena::__private::t);
        for c in 0..self.body.captures.len() {
            // A capture's position among the inputs is its operand.
            let j = self.body.capture_operand(c);
            if self.d.wanted[j] && !self.is_zero(j) {
                let (dj, e) = (adjoint(j), adjoints.of(j));
                code.extend(match self.stack_capture(c) {
                    true => quote!(#t::add_parameters(&mut #dj, #e);),
                    false => quote!(#dj = #t::accumulate(#dj, #e);),
                });
            }
        }
    }

    /// Each element's gradient, written at index `i` of its collection's adjoint (or of
    /// the sink the collection's gradient is built in).
    pub fn element_gradients(&self, code: &mut TokenStream, adjoints: &Adjoints, i: &Ident) {
        let (body, sinks) = (self.body, self.sinks);
        let t = quote!(::cadena::__private::t);
        let first_element = body.collection_operand(0);
        for (c, kind) in body.collections.iter().enumerate() {
            if !self.d.wanted[body.collection_operand(c)] {
                continue;
            }
            let dj = match &sinks[c] {
                Some(sink) => sink.place.clone(),
                None => {
                    let dj = adjoint(body.collection_operand(c));
                    quote!(#dj)
                }
            };
            let shared = sinks[c].as_ref().is_some_and(|s| s.shared);
            for (e, element) in body.elements.iter().enumerate() {
                let p = first_element + e;
                if element.collection != c || self.is_zero(p) {
                    continue;
                }
                let value = adjoints.of(p);
                let path = &element.path;
                code.extend(match kind {
                    // Another loop over the same stack has written there too.
                    // `put` gives the value it replaces back to the buffer pool.
                    Collection::Indexed if shared => {
                        accumulate_into_slot(&quote!(#dj[#i] #(#path)*), value)
                    }
                    Collection::Indexed => quote!(#t::put(&mut #dj[#i] #(#path)*, #value);),
                    Collection::Axis(axis) => {
                        let axis = proc_macro2::Literal::usize_unsuffixed(*axis);
                        quote!(#t::assign_index_axis(&mut #dj, ::cadena::ndarray::Axis(#axis), #i, #value);)
                    }
                });
            }
        }
    }
}
