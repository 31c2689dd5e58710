//! Rust source as a flat list of tokens: enough of a lexer to cut a file into items and a
//! function into statements, to mutate a body token by token and to print it back. Comments
//! are dropped; delimiters are tokens of their own, and every edit the fuzzer makes keeps
//! them balanced (an unbalanced brace would hide the other functions of a scratch crate
//! from the parser, not test the macro).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Ident,
    Lifetime,
    Literal,
    Punct,
    Open,
    Close,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
}

impl Token {
    pub fn new(kind: Kind, text: impl Into<String>) -> Token {
        Token {
            kind,
            text: text.into(),
        }
    }

    pub fn ident(text: &str) -> Token {
        Token::new(Kind::Ident, text)
    }

    pub fn punct(text: &str) -> Token {
        Token::new(Kind::Punct, text)
    }

    pub fn is(&self, text: &str) -> bool {
        self.text == text
    }
}

/// Longest first, so that `..=` is one token and not `..` then `=`.
const PUNCTS: &[&str] = &[
    "..=", "...", "<<=", ">>=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=",
    "*=", "/=", "%=", "^=", "&=", "|=", "<<", ">>", "..", "+", "-", "*", "/", "%", "^", "!", "&",
    "|", "=", "<", ">", "@", ".", ",", ";", ":", "#", "$", "?", "~",
];

/// Splits `src` into tokens. Text the lexer does not know becomes one-character punctuation,
/// which the parser check downstream rejects; lexing never fails.
pub fn lex(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let text = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied().unwrap_or('\0');
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if matches!(c, '(' | '[' | '{') {
            out.push(Token::new(Kind::Open, c.to_string()));
            i += 1;
        } else if matches!(c, ')' | ']' | '}') {
            out.push(Token::new(Kind::Close, c.to_string()));
            i += 1;
        } else if c == '"' || (matches!(c, 'b' | 'r' | 'c') && string_starts(&chars, i)) {
            let start = i;
            i = string_end(&chars, i);
            out.push(Token::new(Kind::Literal, text(start, i)));
        } else if c == '\'' {
            let start = i;
            if chars.get(i + 2) == Some(&'\'') || next == '\\' {
                // A character literal: 'a' or an escape.
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    i += if chars[i] == '\\' { 2 } else { 1 };
                }
                i += 1;
                out.push(Token::new(Kind::Literal, text(start, i.min(chars.len()))));
            } else {
                i += 1;
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                out.push(Token::new(Kind::Lifetime, text(start, i)));
            }
        } else if c.is_ascii_digit() {
            let start = i;
            i = number_end(&chars, i);
            out.push(Token::new(Kind::Literal, text(start, i)));
        } else if is_ident_start(c) {
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            if text(start, i) == "r" && next == '#' {
                i += 1;
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
            }
            out.push(Token::new(Kind::Ident, text(start, i)));
        } else {
            let rest: String = chars[i..(i + 3).min(chars.len())].iter().collect();
            let p = PUNCTS
                .iter()
                .find(|p| rest.starts_with(*p))
                .map_or_else(|| c.to_string(), |p| p.to_string());
            i += p.chars().count();
            out.push(Token::new(Kind::Punct, p));
        }
    }
    out
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `b"..."`, `r"..."`, `r#"..."#`, `br"..."`, `b'x'`, `c"..."` (at `i`, a prefix letter).
fn string_starts(chars: &[char], i: usize) -> bool {
    let mut j = i;
    while j < chars.len() && matches!(chars[j], 'b' | 'r' | 'c') && j - i < 2 {
        j += 1;
    }
    while j < chars.len() && chars[j] == '#' {
        j += 1;
    }
    let prefix_ok = i == 0 || !is_ident_char(chars[i - 1]);
    prefix_ok && j < chars.len() && (chars[j] == '"' || (chars[j] == '\'' && chars[i] == 'b'))
}

fn string_end(chars: &[char], mut i: usize) -> usize {
    let raw = chars[i..].iter().take(3).any(|&c| c == 'r') && chars[i] != '"';
    while chars[i] != '"' && chars[i] != '\'' && chars[i] != '#' {
        i += 1;
    }
    let mut hashes = 0;
    while chars[i] == '#' {
        hashes += 1;
        i += 1;
    }
    let quote = chars[i];
    i += 1;
    while i < chars.len() {
        if !raw && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == quote
            && chars[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == '#')
                .count()
                == hashes
        {
            return (i + 1 + hashes).min(chars.len());
        }
        i += 1;
    }
    chars.len()
}

/// The end of a number at `i`: `1`, `1_000`, `0x1f`, `1.5`, `1e-3`, `2.0f32`, `3_f64`; `1.`
/// only where no method or field follows (`1.max(x)` is `1` `.` `max`, `1..2` a range).
fn number_end(chars: &[char], mut i: usize) -> usize {
    let at = |j: usize| chars.get(j).copied().unwrap_or('\0');
    if at(i) == '0' && matches!(at(i + 1), 'x' | 'o' | 'b') && at(i + 2).is_ascii_hexdigit() {
        i += 2;
        while at(i).is_ascii_hexdigit() || at(i) == '_' {
            i += 1;
        }
    } else {
        while at(i).is_ascii_digit() || at(i) == '_' {
            i += 1;
        }
        if at(i) == '.' && at(i + 1) != '.' && !is_ident_start(at(i + 1)) {
            i += 1;
            while at(i).is_ascii_digit() || at(i) == '_' {
                i += 1;
            }
        }
        let sign = usize::from(matches!(at(i + 1), '+' | '-'));
        if matches!(at(i), 'e' | 'E') && at(i + 1 + sign).is_ascii_digit() {
            i += 1 + sign;
            while at(i).is_ascii_digit() || at(i) == '_' {
                i += 1;
            }
        }
    }
    while is_ident_char(at(i)) {
        i += 1;
    }
    i
}

/// The index of the delimiter closing the one opened at `open`.
pub fn closing(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    tokens.len() - 1
}

/// The end (exclusive) of the token tree starting at `i`: a whole group for an opening
/// delimiter, else the one token.
pub fn tree_end(tokens: &[Token], i: usize) -> usize {
    if tokens[i].kind == Kind::Open {
        closing(tokens, i) + 1
    } else {
        i + 1
    }
}

/// Prints tokens back as source: an item's attributes and each statement on lines of
/// their own, indented by braces, spaces where Rust needs or usually writes them. rustfmt makes the report's bodies prettier; this is
/// for the scratch crates, where only validity and line numbers matter.
pub fn render(tokens: &[Token]) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut parens = 0usize;
    let mut prev: Option<&Token> = None;
    let mut in_attribute = false;
    for t in tokens {
        let newline_before = t.is("}") && parens == 0;
        if newline_before {
            depth = depth.saturating_sub(1);
            newline(&mut out, depth);
        } else if let Some(p) = prev
            && space_between(p, t)
        {
            out.push(' ');
        }
        out.push_str(&t.text);
        match t.text.as_str() {
            "{" if parens == 0 => {
                depth += 1;
                newline(&mut out, depth);
            }
            "[" if parens == 0 && depth == 0 && prev.is_some_and(|p| p.is("#")) => {
                in_attribute = true;
                parens += 1;
            }
            "]" if parens == 1 && in_attribute => {
                in_attribute = false;
                parens = 0;
                newline(&mut out, depth);
            }
            "(" | "[" => parens += 1,
            ")" | "]" => parens = parens.saturating_sub(1),
            ";" if parens == 0 && depth > 0 => newline(&mut out, depth),
            "}" if parens == 0 => newline(&mut out, depth),
            _ => {}
        }
        prev = Some(t);
    }
    let lines: Vec<&str> = out
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    lines.join("\n") + "\n"
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.push_str(&"    ".repeat(depth));
}

fn space_between(prev: &Token, next: &Token) -> bool {
    let tight_after = ["(", "[", ".", "::", "!", "&", "#", "$"];
    let tight_before = [")", "]", ".", ",", ";", "::", "?", ":"];
    if tight_after.contains(&prev.text.as_str()) {
        return false;
    }
    if tight_before.contains(&next.text.as_str()) {
        return false;
    }
    // A call, an index, a macro or a generic: `f(x)`, `a[0]`, `s![..]`, `Array2<f64>`.
    if matches!(next.text.as_str(), "(" | "[" | "!")
        && matches!(prev.kind, Kind::Ident | Kind::Close)
    {
        return prev.is("if") || prev.is("in") || prev.is("return") || prev.is("match");
    }
    if next.is("<") && prev.kind == Kind::Ident && prev.text.starts_with(char::is_uppercase) {
        return false;
    }
    true
}

/// A top-level item of a file: its tokens (attributes included) and what it is.
#[derive(Clone, Debug)]
pub struct Item {
    pub tokens: Vec<Token>,
    /// `fn`, `struct`, `use`, `mod`, `impl`, `const`, `macro` (an invocation), ...
    pub keyword: String,
    /// The item's name where it has one (`fn name`, `struct Name`).
    pub name: Option<String>,
}

impl Item {
    /// Whether an outer attribute of this item is `#[name]` or `#[name(..)]`.
    pub fn has_attribute(&self, name: &str) -> bool {
        attributes(&self.tokens)
            .iter()
            .any(|&(s, _)| self.tokens.get(s + 2).is_some_and(|t| t.is(name)))
    }
}

/// The outer attributes at the start of `tokens`, as (start, end) ranges.
pub fn attributes(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < tokens.len() && tokens[i].is("#") && tokens[i + 1].is("[") {
        let end = closing(tokens, i + 1) + 1;
        out.push((i, end));
        i = end;
    }
    out
}

const ENDS_AT_SEMICOLON: &[&str] = &["use", "const", "static", "type", "let"];

/// Cuts a file into its top-level items. Inner attributes (`#![..]`) are dropped.
pub fn items(tokens: &[Token]) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].is("#") && tokens.get(i + 1).is_some_and(|t| t.is("!")) {
            i = tree_end(tokens, i + 2);
            continue;
        }
        let start = i;
        while i + 1 < tokens.len() && tokens[i].is("#") && tokens[i + 1].is("[") {
            i = closing(tokens, i + 1) + 1;
        }
        let head = i;
        let keyword = tokens[head..]
            .iter()
            .find(|t| {
                t.kind == Kind::Ident
                    && !["pub", "crate", "unsafe", "async", "extern", "default"]
                        .contains(&t.text.as_str())
            })
            .map_or_else(String::new, |t| t.text.clone());
        let semicolon_only = ENDS_AT_SEMICOLON.contains(&keyword.as_str());
        while i < tokens.len() {
            let t = &tokens[i];
            if t.is(";") {
                i += 1;
                break;
            }
            if t.kind == Kind::Open {
                let end = closing(tokens, i);
                i = end + 1;
                if t.is("{") && !semicolon_only {
                    break;
                }
                continue;
            }
            i += 1;
        }
        let item_tokens = tokens[start..i].to_vec();
        let is_macro = tokens.get(head + 1).is_some_and(|t| t.is("!")) && keyword != "macro_rules";
        let name = tokens[head..i]
            .iter()
            .position(|t| t.is(&keyword))
            .and_then(|k| tokens.get(head + k + 1))
            .filter(|t| t.kind == Kind::Ident)
            .map(|t| t.text.clone());
        out.push(Item {
            tokens: item_tokens,
            keyword: if is_macro { "macro".into() } else { keyword },
            name,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        lex(src).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn numbers_stop_before_methods_and_ranges() {
        assert_eq!(
            texts("1.max(2) 0..3 1.5e-3f32 x.0 1_000."),
            [
                "1",
                ".",
                "max",
                "(",
                "2",
                ")",
                "0",
                "..",
                "3",
                "1.5e-3f32",
                "x",
                ".",
                "0",
                "1_000."
            ]
        );
    }

    #[test]
    fn printed_tokens_read_back_the_same() {
        let src = "#[differentiable(wrt(p))]\nfn f(p: &P, x: &Array2<f64>) -> f64 {\n    let h = x.slice(s![.., 0..2]).to_owned();\n    let v: Vec<Vec<f64>> = vec![];\n    if p.s > 1.0 { -h.sum() } else { 1.5e-3f32 as f64 }\n}\n";
        let tokens = lex(src);
        assert_eq!(lex(&render(&tokens)), tokens);
    }

    #[test]
    fn items_end_at_their_body_or_semicolon() {
        let src = "#![allow(x)]\nuse a::b;\n#[derive(P)]\nstruct S { w: f64 }\nconst C: [f64; 2] = [1.0, 2.0];\nfn f() -> f64 { 1.0 }\ncases! { a }\n";
        let items = items(&lex(src));
        let kinds: Vec<&str> = items.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kinds, ["use", "struct", "const", "fn", "macro"]);
        assert_eq!(items[3].name.as_deref(), Some("f"));
    }
}
