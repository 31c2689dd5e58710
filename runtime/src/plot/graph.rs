//! A traced computational graph drawn as a picture, the way the course draws e^{sin(x²)}:
//! left to right in layers (each operation one column right of its last operand, each
//! argument and constant just left of its first user; within a column, operations near
//! their operands and arguments near their users), one box per node with its label, its
//! forward value and its adjoint. SVG or PNG through plotters, no external program.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::trace::{GraphTrace, TraceKind};
use super::{font, plot_error};
use crate::{Error, Result};

const MARGIN: i32 = 24;
const BOX_HEIGHT: i32 = 62;
const COLUMN_GAP: i32 = 56;
const ROW_GAP: i32 = 22;
const FONT_SIZE: f64 = 14.0;
/// Roughly the advance of one character at [`FONT_SIZE`], to size boxes to their text.
const CHAR_WIDTH: i32 = 8;

/// Where each node's box goes, and the picture's size.
struct Layout {
    /// Top-left corner of each node's box.
    corner: Vec<(i32, i32)>,
    box_width: i32,
    size: (u32, u32),
}

fn layout(trace: &GraphTrace) -> Layout {
    let n = trace.nodes.len();
    let mut operands = vec![Vec::new(); n];
    let mut users = vec![Vec::new(); n];
    for &(from, to) in &trace.edges {
        if from < n && to < n {
            operands[to].push(from);
            users[from].push(to);
        }
    }
    // Operations: one column right of their last operand.
    let mut column = vec![0usize; n];
    for v in 0..n {
        column[v] = operands[v]
            .iter()
            .map(|&u| column[u] + 1)
            .max()
            .unwrap_or(0);
    }
    // Leaves sit just left of their first user instead of all in column 0.
    for v in 0..n {
        if operands[v].is_empty()
            && let Some(first) = users[v].iter().map(|&u| column[u]).min()
        {
            column[v] = first.saturating_sub(1);
        }
    }
    let columns = column.iter().max().map_or(0, |c| c + 1);
    // Rows: source order within a column, then each operation moved toward the mean row
    // of its operands (one barycentre pass keeps edges short on small graphs).
    let mut row = vec![0f64; n];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); columns];
    for v in 0..n {
        members[column[v]].push(v);
    }
    for col in &mut members {
        for (i, &v) in col.iter().enumerate() {
            row[v] = i as f64;
        }
        let key = |v: usize| {
            if operands[v].is_empty() {
                row[v]
            } else {
                operands[v].iter().map(|&u| row[u]).sum::<f64>() / operands[v].len() as f64
            }
        };
        col.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        for (i, &v) in col.iter().enumerate() {
            row[v] = i as f64;
        }
    }
    // Then, right to left, arguments and constants move toward the mean row of their
    // users, so inputs line up with the operations that read them.
    for col in members.iter_mut().rev() {
        let key = |v: usize| {
            if operands[v].is_empty() && !users[v].is_empty() {
                users[v].iter().map(|&u| row[u]).sum::<f64>() / users[v].len() as f64
            } else {
                row[v]
            }
        };
        col.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        for (i, &v) in col.iter().enumerate() {
            row[v] = i as f64;
        }
    }
    let longest = trace
        .nodes
        .iter()
        .flat_map(|t| {
            [
                t.label.chars().count(),
                t.value_text().chars().count(),
                t.adjoint_text().chars().count(),
            ]
        })
        .max()
        .unwrap_or(8) as i32;
    let box_width = (longest * CHAR_WIDTH + 20).max(120);
    let tallest = members.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let height = 2 * MARGIN + tallest * BOX_HEIGHT + (tallest - 1).max(0) * ROW_GAP;
    let width = 2 * MARGIN + columns as i32 * (box_width + COLUMN_GAP) - COLUMN_GAP;
    let mut corner = vec![(0, 0); n];
    for (c, col) in members.iter().enumerate() {
        let used = col.len() as i32 * (BOX_HEIGHT + ROW_GAP) - ROW_GAP;
        let top = (height - used) / 2;
        for (i, &v) in col.iter().enumerate() {
            corner[v] = (
                MARGIN + c as i32 * (box_width + COLUMN_GAP),
                top + i as i32 * (BOX_HEIGHT + ROW_GAP),
            );
        }
    }
    Layout {
        corner,
        box_width,
        size: (width.max(1) as u32, height.max(1) as u32),
    }
}

fn fill(kind: TraceKind) -> RGBColor {
    match kind {
        TraceKind::Parameter => RGBColor(0xfd, 0xe6, 0x8a),
        TraceKind::Input => RGBColor(0xe5, 0xe7, 0xeb),
        TraceKind::Constant => RGBColor(0xff, 0xff, 0xff),
        TraceKind::Operation => RGBColor(0xdb, 0xea, 0xfe),
        TraceKind::Result => RGBColor(0xbb, 0xf7, 0xd0),
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    trace: &GraphTrace,
    at: &Layout,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let (w, h) = (at.box_width, BOX_HEIGHT);
    let edge = RGBColor(0x47, 0x55, 0x69);
    for &(from, to) in &trace.edges {
        let (Some(&(x0, y0)), Some(&(x1, y1))) = (at.corner.get(from), at.corner.get(to)) else {
            continue;
        };
        let (start, end) = ((x0 + w, y0 + h / 2), (x1, y1 + h / 2));
        root.draw(&PathElement::new(vec![start, end], edge.stroke_width(1)))?;
        // An arrowhead at the user's box, along the edge's direction.
        let (dx, dy) = ((end.0 - start.0) as f64, (end.1 - start.1) as f64);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let point = |along: f64, across: f64| {
            (
                end.0 - (ux * along - uy * across).round() as i32,
                end.1 - (uy * along + ux * across).round() as i32,
            )
        };
        root.draw(&Polygon::new(
            vec![end, point(9.0, 4.0), point(9.0, -4.0)],
            edge.filled(),
        ))?;
    }
    let style = TextStyle::from((font::FAMILY, FONT_SIZE).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Center));
    for (node, &(x, y)) in trace.nodes.iter().zip(&at.corner) {
        root.draw(&Rectangle::new(
            [(x, y), (x + w, y + h)],
            fill(node.kind).filled(),
        ))?;
        root.draw(&Rectangle::new(
            [(x, y), (x + w, y + h)],
            BLACK.stroke_width(1),
        ))?;
        let lines = [node.label.clone(), node.value_text(), node.adjoint_text()];
        for (i, line) in lines.iter().enumerate() {
            let cy = y + 12 + i as i32 * 19;
            root.draw(&Text::new(line.clone(), (x + w / 2, cy), style.clone()))?;
        }
    }
    root.present()
}

#[cfg_attr(docsrs, doc(cfg(feature = "plot")))]
impl GraphTrace {
    /// The picture as an SVG document.
    ///
    /// # Errors
    ///
    /// [`Error::Plot`] if the graph has no nodes or plotters cannot draw it.
    ///
    /// ```
    /// use cadena::prelude::*;
    ///
    /// #[differentiable]
    /// fn composite(x: f64) -> f64 {
    ///     x.powi(2).sin().exp()
    /// }
    ///
    /// let svg = composite::trace(1.2).to_svg()?;
    /// assert!(svg.starts_with("<svg"));
    /// assert!(svg.contains("value 1.2"));
    /// # Ok::<(), cadena::Error>(())
    /// ```
    pub fn to_svg(&self) -> Result<String> {
        let path = Path::new("<svg>");
        self.check(path)?;
        let at = layout(self);
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, at.size).into_drawing_area();
            draw(&root, self, &at).map_err(plot_error(path))?;
        }
        Ok(out)
    }

    /// Writes the picture to `path`: SVG if it ends in `.svg`, else PNG.
    ///
    /// # Errors
    ///
    /// [`Error::Plot`] if the graph has no nodes, or the file cannot be drawn or written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        self.check(path)?;
        let svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        if svg {
            let text = self.to_svg()?;
            return std::fs::write(path, text).map_err(plot_error(path));
        }
        font::register();
        let at = layout(self);
        let root = BitMapBackend::new(path, at.size).into_drawing_area();
        draw(&root, self, &at).map_err(plot_error(path))
    }

    fn check(&self, path: &Path) -> Result<()> {
        if self.nodes.is_empty() {
            return Err(Error::Plot {
                path: path.to_path_buf(),
                reason: format!("the graph of `{}` has no nodes", self.name),
            });
        }
        Ok(())
    }
}
