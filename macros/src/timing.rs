//! How expansion time grows with a body's length, printed by hand (not a test that can
//! fail: these machines are shared):
//!
//! ```text
//! cargo test -p cadena-macros --release --lib expansion_time -- --ignored --nocapture
//! ```
//!
//! Two chains of `n` lets, in ndarray code (`s_i = s_{i-1}.sin() + x.dot(w)`) and in
//! scalar code (`s_i = (s_{i-1} * y).tanh() + x`), and one expression nested `n` deep
//! (`((x * y).tanh() * y).tanh() ..`), expanded in-process at doubling `n`: time close to
//! proportional to `n` is the aim (issue 26).
//!
//! ```text
//! cargo test -p cadena-macros --lib expansion_time_of_deep -- --ignored --nocapture
//! ```
//!
//! The fuzzer's deep mutants (`examples/fuzz_macro/mutate.rs`) at depth `k`, in the debug
//! build a `cargo build` uses: the aim is every one under a second.

#[test]
#[ignore]
fn expansion_time_grows_with_the_length_of_a_body() {
    // rustc gives a macro a compiler thread's stack, larger than a test thread's.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(table)
        .expect("a thread")
        .join()
        .expect("the table");
}

fn table() {
    println!("| n | ndarray lets | scalar lets | scalar nest |\n|--:|--:|--:|--:|");
    for n in [100usize, 200, 400, 800] {
        let mut body = String::from("let s0 = x.dot(w);\n");
        for i in 1..n {
            body.push_str(&format!("let s{i} = s{}.sin() + x.dot(w);\n", i - 1));
        }
        let tensor = format!(
            "fn f(x: &Array2<f64>, w: &Array2<f64>) -> f64 {{ {body} mean(s{}) }}",
            n - 1
        );
        let mut body = String::from("let s0 = x * y;\n");
        for i in 1..n {
            body.push_str(&format!("let s{i} = (s{} * y).tanh() + x;\n", i - 1));
        }
        let scalar = format!("fn g(x: f64, y: f64) -> f64 {{ {body} s{} }}", n - 1);
        let mut nest = String::from("x");
        for _ in 0..n {
            nest = format!("({nest} * y).tanh()");
        }
        let nest = format!("fn h(x: f64, y: f64) -> f64 {{ {nest} }}");
        let time = |src: &str| {
            let item: proc_macro2::TokenStream = src.parse().expect("a function");
            let start = std::time::Instant::now();
            let _ = crate::expand::differentiable(proc_macro2::TokenStream::new(), item);
            start.elapsed().as_secs_f64() * 1e3
        };
        let (a, b, c) = (time(&tensor), time(&scalar), time(&nest));
        println!("| {n} | {a:.0} ms | {b:.0} ms | {c:.0} ms |");
    }
}

#[test]
#[ignore]
fn expansion_time_of_deep_bodies() {
    println!(
        "| k | parentheses | negations | method calls | function calls | terms | nested ifs | terms under 10 ifs |"
    );
    println!("|--:|--:|--:|--:|--:|--:|--:|--:|");
    for k in [100usize, 200, 400, 800] {
        let e = "(x * y).tanh()";
        let mut ifs = format!("({e})");
        for _ in 0..k {
            ifs = format!("if x > 0.0 {{ {ifs} }} else {{ 0.5 }}");
        }
        // A sum of `k` terms under ten `if`s: each `if`'s derivative prints the sum
        // again (a fuzzer finding: 150 terms under 40 `if`s took 3.7 s).
        let mut sum_in_ifs = format!("({})", vec![format!("({e})"); k].join(" + "));
        for _ in 0..10 {
            sum_in_ifs = format!("if x > 0.0 {{ {sum_in_ifs} }} else {{ 0.5 }}");
        }
        let shapes = [
            format!("{}{e}{}", "(".repeat(k), ")".repeat(k)),
            format!("{}({e})", "- ".repeat(k)),
            format!("({e}){}", ".tanh()".repeat(k)),
            format!("{}{e}{}", "tanh(".repeat(k), ")".repeat(k)),
            vec![format!("({e})"); k].join(" + "),
            ifs,
            sum_in_ifs,
        ];
        let row: Vec<String> = shapes
            .iter()
            .map(|body| {
                let src = format!("fn h(x: f64, y: f64) -> f64 {{ {body} }}");
                let item: proc_macro2::TokenStream = src.parse().expect("a function");
                let start = std::time::Instant::now();
                crate::stack::deep(|| {
                    crate::expand::differentiable(proc_macro2::TokenStream::new(), item)
                });
                format!("{:.0} ms", start.elapsed().as_secs_f64() * 1e3)
            })
            .collect();
        println!("| {k} | {} |", row.join(" | "));
    }
}

/// The expansion time of one function in a file, for a finding of the fuzzer's:
/// `CADENA_TIME_FILE=body.rs CADENA_TIME_ATTR='wrt(p)' cargo test -p cadena-macros --lib
/// expansion_time_of_file -- --ignored --nocapture` (three runs: the first pays for cold
/// caches).
#[test]
#[ignore]
fn expansion_time_of_file() {
    let Ok(path) = std::env::var("CADENA_TIME_FILE") else {
        println!("set CADENA_TIME_FILE to a file holding one function");
        return;
    };
    let src = std::fs::read_to_string(&path).expect("a readable file");
    let item: proc_macro2::TokenStream = src.parse().expect("a function");
    let attr = std::env::var("CADENA_TIME_ATTR").unwrap_or_default();
    let attr: proc_macro2::TokenStream = attr.parse().expect("attribute arguments");
    for _ in 0..3 {
        let start = std::time::Instant::now();
        crate::stack::deep(|| crate::expand::differentiable(attr.clone(), item.clone()));
        println!("{:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    }
}
