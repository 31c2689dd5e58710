//! The stack an expansion runs on. Parsing, lowering, simplifying and printing all
//! recurse on the body's nesting, and rustc gives a proc macro the 8 MiB of its thread: a
//! body nested a few hundred levels deep (`if` in `if`, parentheses, calls) that rustc
//! compiles without the attribute overflowed it, and rustc died with it. `stacker`, rustc's
//! own answer to the same problem, switches to a larger stack on the same thread, so the
//! compiler's token handles stay valid; its pages are reserved, and only those a deep body
//! touches are ever committed.

/// Runs `expand` on a fresh 1 GiB stack.
pub fn deep<R>(expand: impl FnOnce() -> R) -> R {
    const STACK: usize = 1 << 30;
    stacker::grow(STACK, expand)
}

#[cfg(test)]
mod tests {
    /// Bodies nested 400 deep, which rustc compiles without the attribute. Under rustc,
    /// 8 MiB was not enough (its own frames and the token bridge's take a share); here,
    /// with the fallback tokens, a 2 MiB thread stands in: without [`super::deep`] the
    /// expansion overflows it.
    #[test]
    fn a_body_nested_four_hundred_deep_expands_on_a_compiler_sized_stack() {
        let mut ifs = String::from("(x * y).tanh()");
        for _ in 0..400 {
            ifs = format!("if x > 0.0 {{ {ifs} }} else {{ 0.5 }}");
        }
        let calls = format!("{}x * y{}", "tanh(".repeat(400), ")".repeat(400));
        for body in [ifs, calls] {
            let src = format!("fn h(x: f64, y: f64) -> f64 {{ {body} }}");
            let out = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || {
                    let item: proc_macro2::TokenStream = src.parse().expect("a function");
                    super::deep(|| {
                        crate::expand::differentiable(proc_macro2::TokenStream::new(), item)
                    })
                    .to_string()
                })
                .expect("a thread")
                .join()
                .expect("no overflow");
            assert!(out.contains("fn grad"), "{}", &out[..out.len().min(400)]);
            assert!(!out.contains("compile_error"), "an error: {}", &out[..400]);
        }
    }
}
