//! Subscript digits, for names the macro gives values in printed derivations: `acc₂` (the
//! second binding of a shadowed `acc`), `δ₁` (a repeated subexpression). Not valid Rust
//! identifiers, so they can never be mistaken for the user's own names.

/// `n` in subscript digits: `12` → `₁₂`.
pub fn subscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];
    n.to_string()
        .chars()
        .map(|d| DIGITS[d.to_digit(10).unwrap_or(0) as usize])
        .collect()
}
