//! Compile-fail tests: every unsupported construct is a spanned error saying what to
//! write instead. One file per mistake in `tests/ui/`, with the exact expected output.
//! `tests/ui-pass/` holds code that must compile cleanly (lints denied where relevant).

#[test]
fn mistakes_are_spanned_compile_errors() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
