// The main file of the expander the fuzzer builds (examples/fuzz_macro/expander.rs writes
// it into target/fuzz/expander/src/ after the `mod` lines of macros/src/lib.rs): the
// macro's own source, compiled as a plain binary, expands one function at a time so that
// each expansion is timed alone and a panic or a stack overflow is pinned on one body.
//
// Input, per function: a line with two byte lengths, then the attribute's arguments and
// the function without that attribute. Output, per function, one line:
// `status \t microseconds \t detail`, status one of `unparsed`
// (not a function to syn), `accepted`, `rejected` (detail: the compile_error! messages)
// and `panicked` (detail: the panic message); newlines in details are written `\n`.

use std::io::{BufRead, Read, Write};
use std::sync::Mutex;
use std::time::Instant;

use proc_macro2::{TokenStream, TokenTree};

static PANIC: Mutex<String> = Mutex::new(String::new());

fn main() {
    std::panic::set_hook(Box::new(|info| {
        let message = match info.payload().downcast_ref::<&str>() {
            Some(s) => s.to_string(),
            None => info.payload().downcast_ref::<String>().cloned().unwrap_or_default(),
        };
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line()));
        *PANIC.lock().unwrap() = format!("{message}{}", at.unwrap_or_default());
    }));
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut header = String::new();
    while input.read_line(&mut header).unwrap() > 0 {
        let lens: Vec<usize> = header.split_whitespace().map(|n| n.parse().unwrap()).collect();
        let mut read = |len: usize| {
            let mut buf = vec![0; len];
            input.read_exact(&mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        };
        let (attr, item) = (read(lens[0]), read(lens[1]));
        // rustc runs proc macros on its main thread, whose stack is 8 MiB.
        let line = std::thread::Builder::new()
            .stack_size(8 << 20)
            // The whole of it on the macro's own stack: the expander's parse of the item
            // (before the macro's) recurses on its nesting too.
            .spawn(move || stack::deep(|| expand_one(&attr, &item)))
            .unwrap()
            .join()
            .unwrap_or_else(|_| format!("panicked\t0\t{}", escape(&PANIC.lock().unwrap())));
        writeln!(out, "{line}").unwrap();
        out.flush().unwrap();
        header.clear();
    }
}

fn expand_one(attr: &str, item: &str) -> String {
    let (Ok(attr), Ok(item)) = (attr.parse::<TokenStream>(), item.parse::<TokenStream>()) else {
        return "unparsed\t0\t".into();
    };
    if syn::parse2::<syn::ItemFn>(item.clone()).is_err() {
        return "unparsed\t0\t".into();
    }
    let start = Instant::now();
    let out = expand::differentiable(attr, item);
    let micros = start.elapsed().as_micros();
    let mut errors = Vec::new();
    compile_errors(out.clone(), &mut errors);
    let status = if errors.is_empty() { "accepted" } else { "rejected" };
    format!("{status}\t{micros}\t{}", escape(&errors.join("\n")))
}

/// The messages of every `compile_error!("...")` in `tokens`.
fn compile_errors(tokens: TokenStream, out: &mut Vec<String>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, t) in trees.iter().enumerate() {
        match t {
            TokenTree::Ident(id) if id == "compile_error" => {
                if let Some(TokenTree::Group(g)) = trees.get(i + 2) {
                    let message = syn::parse2::<syn::LitStr>(g.stream())
                        .map_or_else(|_| g.stream().to_string(), |s| s.value());
                    out.push(message);
                }
            }
            TokenTree::Group(g) => compile_errors(g.stream(), out),
            _ => {}
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\t', "\\t")
}
