//! Reads inside a loop body: the element (`l.w`, `xt`, `c`), elements by the loop index
//! (`c[i]`, `p.layers[i].w`, `x.index_axis(Axis(k), i)`), and the index itself.

use quote::quote;
use syn::Expr;
use syn::spanned::Spanned;

use super::super::body::Body;
use super::super::inline::Binding;
use super::ElementBinding;
use super::iteration::{axis_literal, strip};
use crate::ir::Step;
use crate::ir::graph::NodeId;
use crate::ir::loops::{Collection, Element};

impl Body<'_> {
    /// The collection whose element `e` is, if `e` names the current loop's struct element
    /// (`l` in `for l in &p.layers`), to hand to a helper.
    pub fn loop_struct_element(&self, e: &Expr) -> Option<usize> {
        let ctx = self.looping.as_ref().filter(|c| !c.hidden)?;
        let Expr::Path(p) = e else { return None };
        match &ctx.element {
            Some((name, ElementBinding::Struct(c))) if p.path.is_ident(name) => Some(*c),
            _ => None,
        }
    }

    /// `x.index_axis(Axis(k), i)` by the loop's index `i`: an element of `x` along `k`.
    /// `None` if the call is not one.
    pub fn loop_index_axis(&mut self, m: &syn::ExprMethodCall) -> Option<NodeId> {
        self.looping.as_ref()?;
        let [axis, index] = m.args.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        if m.method != "index_axis" || !self.is_loop_index(index) {
            return None;
        }
        let (axis, path) = axis_literal(axis)?;
        self.usage.use_path(path);
        // Not a `let`: one from inside the loop would change between iterations.
        let (operand, name) = self.array_operand(&m.receiver, false)?;
        let c = self.collection(Collection::Axis(axis), operand, name);
        Some(self.element(c, Vec::new(), m.span()))
    }

    /// The input for element `path` of `collection` at the current index.
    pub(super) fn element(
        &mut self,
        collection: usize,
        path: Vec<Step>,
        span: proc_macro2::Span,
    ) -> NodeId {
        self.element_at(None, collection, path, span)
    }

    /// The loop at `level`: the one being lowered (`None`), or an enclosing one.
    fn ctx_at(&mut self, level: Option<usize>) -> &mut super::LoopCtx {
        match level {
            None => self.looping.as_mut().expect("inside a loop"),
            Some(d) => &mut self.outer_loops[d],
        }
    }

    /// [`element`](Self::element) of the loop at `level`: an enclosing loop's element,
    /// read in a loop inside it, is an input of the enclosing body (and a value captured
    /// by the inner loop).
    fn element_at(
        &mut self,
        level: Option<usize>,
        collection: usize,
        path: Vec<Step>,
        span: proc_macro2::Span,
    ) -> NodeId {
        let ctx = self.ctx_at(level);
        if let Some(e) = ctx
            .elements
            .iter()
            .find(|e| e.collection == collection && e.path == path)
        {
            return e.input;
        }
        let text = format!(
            "{}[{}]{}",
            ctx.collections[collection].2,
            ctx.index_text,
            path.iter().map(Step::text).collect::<String>()
        );
        let input = self.graph.input(&text, span);
        self.usage.access.push(quote!(()));
        let ctx = self.ctx_at(level);
        ctx.elements.push(Element {
            input,
            collection,
            path,
        });
        input
    }

    /// A name inside a loop: the element or the index of this loop or of one around it.
    /// `None` if it is neither.
    pub fn loop_name(&mut self, p: &syn::ExprPath) -> Option<Option<NodeId>> {
        if let Some(found) = self.this_loop_name(p) {
            return Some(found);
        }
        let name = p.path.get_ident()?.to_string();
        for ctx in self.outer_loops.iter().rev().filter(|c| !c.hidden) {
            if ctx.index.as_deref() == Some(name.as_str()) {
                self.cx.error(p, format!("`{name}` is an enclosing loop's index, an integer: read its elements in that loop's body, before this loop (`let v = c[{name}];`)"));
                return Some(None);
            }
            match &ctx.element {
                Some((n, ElementBinding::Value(id))) if *n == name => return Some(Some(*id)),
                Some((n, ElementBinding::Struct(_))) if *n == name => {
                    self.cx.error(
                        p,
                        format!("`{name}` is a parameter struct; read its fields (`{name}.w`)"),
                    );
                    return Some(None);
                }
                _ => {}
            }
        }
        None
    }

    fn this_loop_name(&mut self, p: &syn::ExprPath) -> Option<Option<NodeId>> {
        let ctx = self.looping.as_ref().filter(|c| !c.hidden)?;
        let name = p.path.get_ident()?.to_string();
        if ctx.index.as_deref() == Some(name.as_str()) {
            self.cx.error(p, format!("`{name}` is the loop's index, an integer: use it to read an element (`c[{name}]`, `p.layers[{name}].w`)"));
            return Some(None);
        }
        match &ctx.element {
            Some((n, ElementBinding::Value(id))) if *n == name => Some(Some(*id)),
            Some((n, ElementBinding::Struct(_))) if *n == name => {
                self.cx.error(
                    p,
                    format!("`{name}` is a parameter struct; read its fields (`{name}.w`)"),
                );
                Some(None)
            }
            _ => None,
        }
    }

    /// `l.w` on the loop's struct element, or `c[i]` / `p.layers[i].w` by the loop
    /// index. `None` if `path` on `base` is neither.
    pub fn loop_field(
        &mut self,
        base: &Expr,
        path: &[Step],
        index_at: Option<usize>,
        span: proc_macro2::Span,
    ) -> Option<NodeId> {
        let ctx = self.looping.as_ref()?;
        if let (Expr::Path(p), Some((name, ElementBinding::Struct(c)))) = (base, &ctx.element)
            && p.path.is_ident(name)
            && !ctx.hidden
        {
            let c = *c;
            return Some(self.element(c, path.to_vec(), span));
        }
        // An enclosing loop's struct element (`l.w` in a loop inside `for l in ..`).
        if let Expr::Path(p) = base {
            let outer = self
                .outer_loops
                .iter()
                .enumerate()
                .rev()
                .find_map(|(d, ctx)| match &ctx.element {
                    Some((name, ElementBinding::Struct(c)))
                        if p.path.is_ident(name) && !ctx.hidden =>
                    {
                        Some((d, *c))
                    }
                    _ => None,
                });
            if let Some((d, c)) = outer {
                return Some(self.element_at(Some(d), c, path.to_vec(), span));
            }
        }
        // A helper's parameter bound to the loop's element.
        if let Expr::Path(p) = base
            && let Some(ident) = p.path.get_ident()
            && let Some(Binding::Element { collection, prefix }) =
                self.calls.aliases.get(&ident.to_string())
        {
            let (c, full) = (*collection, [prefix.clone(), path.to_vec()].concat());
            return Some(self.element(c, full, span));
        }
        let at = index_at?;
        let (param, prefix) = self.struct_root(base)?;
        let coll_path = [prefix, path[..at].to_vec()].concat();
        let operand = self.field_input(param, coll_path.clone(), span, true);
        let text = self.field_text(param, &coll_path);
        let c = self.collection(Collection::Indexed, operand, text);
        Some(self.element(c, path[at + 1..].to_vec(), span))
    }

    /// Whether `e` is the current loop's index variable.
    pub fn is_loop_index(&self, e: &Expr) -> bool {
        let Some(ctx) = self.looping.as_ref().filter(|c| !c.hidden) else {
            return false;
        };
        matches!(strip(e), Expr::Path(p) if ctx.index.as_deref().is_some_and(|i| p.path.is_ident(i)))
    }
}
