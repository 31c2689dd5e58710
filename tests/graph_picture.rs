//! `f::trace` and `cadena::plot`: the forward graph drawn with each node's value and
//! adjoint, checked against what `grad` computes by reading the numbers back out of
//! the SVG.

use cadena::plot::{GraphTrace, TraceKind, significant};
use cadena::prelude::*;

#[differentiable]
fn composite(x: f64) -> f64 {
    x.powi(2).sin().exp()
}

#[differentiable(wrt(w1, w2, b))]
fn neuron(w1: f64, w2: f64, b: f64, x1: f64, x2: f64, y: f64) -> f64 {
    let z = w1 * x1 + w2 * x2 + b;
    let a = sigmoid(z);
    bce(a, y)
}

/// The text of every `<text>` element, in document order.
fn texts(svg: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        let after = &rest[start..];
        let (Some(open), Some(close)) = (after.find('>'), after.find("</text>")) else {
            break;
        };
        out.push(after[open + 1..close].trim().to_string());
        rest = &after[close..];
    }
    out
}

/// The value and adjoint lines drawn under the box labelled `label`.
fn numbers_under(texts: &[String], label: &str) -> (String, String) {
    let i = texts
        .iter()
        .position(|t| t == label)
        .unwrap_or_else(|| panic!("no box labelled {label} in {texts:?}"));
    (texts[i + 1].clone(), texts[i + 2].clone())
}

#[test]
fn the_composite_picture_shows_the_values_and_adjoints_grad_computes() {
    let x = 1.2;
    let trace: GraphTrace = composite::trace(x);
    let svg = trace.to_svg().unwrap();
    let t = texts(&svg);
    let (_, g) = composite::grad(x);
    let (value, adjoint) = numbers_under(&t, "x");
    assert_eq!(value, format!("value {}", significant(x)));
    assert_eq!(adjoint, format!("dL/dx {}", significant(g.x)));
    let (value, adjoint) = numbers_under(&t, "L = exp");
    assert_eq!(value, format!("value {}", significant(composite(x))));
    assert_eq!(adjoint, "dL/dL 1");
    // x^2, sin and exp each have their box; the constant exponent has none.
    assert_eq!(trace.nodes.len(), 4);
    assert_eq!(trace.edges, [(0, 1), (1, 2), (2, 3)]);
}

#[test]
fn the_neuron_picture_shows_every_binding_with_its_adjoint() {
    let (w1, w2, b, x1, x2, y) = (0.5, -0.5, 0.1, 1.0, 2.0, 1.0);
    let trace = neuron::trace(w1, w2, b, x1, x2, y);
    let t = texts(&trace.to_svg().unwrap());
    let (loss, g) = neuron::grad(w1, w2, b, x1, x2, y);
    for (label, expected) in [("w1", g.w1), ("w2", g.w2), ("b", g.b)] {
        let (_, adjoint) = numbers_under(&t, label);
        assert_eq!(adjoint, format!("dL/d{label} {}", significant(expected)));
    }
    let a = cadena::ops::scalar::sigmoid(w1 * x1 + w2 * x2 + b);
    assert_eq!(
        numbers_under(&t, "a = sigmoid").0,
        format!("value {}", significant(a))
    );
    assert_eq!(
        numbers_under(&t, "z = +").1,
        format!("dL/dz {}", significant(a - y))
    );
    assert_eq!(
        numbers_under(&t, "L = bce").0,
        format!("value {}", significant(loss))
    );
    let kinds: Vec<TraceKind> = trace.nodes.iter().map(|n| n.kind).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == TraceKind::Parameter).count(),
        3
    );
    assert_eq!(kinds.iter().filter(|k| **k == TraceKind::Input).count(), 3);
}

#[test]
fn pictures_are_written_as_svg_or_png() {
    let dir = std::env::temp_dir().join(format!("cadena-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = composite::trace(1.2);
    trace.save(dir.join("g.svg")).unwrap();
    trace.save(dir.join("g.png")).unwrap();
    let svg = std::fs::read_to_string(dir.join("g.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    let png = std::fs::read(dir.join("g.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    std::fs::remove_dir_all(&dir).unwrap();
}
