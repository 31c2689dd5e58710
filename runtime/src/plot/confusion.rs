//! The confusion matrix as a heat map: rows true classes, columns predictions, cells
//! shaded by the fraction of the row (so rare classes are as visible as common ones) and
//! labelled with their counts.

use std::path::Path;

use plotters::prelude::*;

use super::{font, plot_error};
use crate::metrics::ConfusionMatrix;
use crate::{Error, Result};

#[cfg_attr(docsrs, doc(cfg(feature = "plot")))]
impl ConfusionMatrix {
    /// Draws the matrix as a PNG heat map at `path`, `size × size` pixels.
    ///
    /// # Errors
    ///
    /// [`Error::Plot`] when the matrix has no classes or the image cannot be drawn or
    /// written.
    pub fn save_heatmap(&self, path: impl AsRef<Path>, size: u32) -> Result<()> {
        let path = path.as_ref();
        let n = self.n_classes();
        if n == 0 {
            return Err(Error::Plot {
                path: path.to_path_buf(),
                reason: "the matrix has no classes".into(),
            });
        }
        font::register();
        let err = plot_error(path);
        let root = BitMapBackend::new(path, (size, size)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let names = self.class_names();
        let label_area = names.iter().map(|s| s.chars().count()).max().unwrap_or(1) as u32 * 8 + 30;
        let mut chart = ChartBuilder::on(&root)
            .caption("Confusion matrix", (font::FAMILY, 22))
            .margin(12)
            .x_label_area_size(label_area.min(size / 3))
            .y_label_area_size(label_area.min(size / 3))
            // plotters' integer ranges include their end, so `0..n - 1` gives n segments.
            .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())
            .map_err(&err)?;
        // Row 0 at the top, as the matrix prints: y segment k shows true class n - 1 - k.
        let name_of = |v: &SegmentValue<usize>, flip: bool| match v {
            SegmentValue::CenterOf(k) if *k < n => names[if flip { n - 1 - k } else { *k }].clone(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc("predicted")
            .y_desc("true")
            .x_labels(n)
            .y_labels(n)
            .x_label_formatter(&|v| name_of(v, false))
            .y_label_formatter(&|v| name_of(v, true))
            .label_style((font::FAMILY, 14))
            .draw()
            .map_err(&err)?;
        let counts = self.counts();
        let cells = (0..n).flat_map(|t| (0..n).map(move |p| (t, p)));
        let shade = |t: usize, p: usize| {
            let row: usize = counts.row(t).sum();
            if row == 0 {
                0.0
            } else {
                counts[[t, p]] as f64 / row as f64
            }
        };
        chart
            .draw_series(cells.clone().map(|(t, p)| {
                let s = shade(t, p);
                let c = |full: u8| (255.0 - s * (255.0 - f64::from(full))).round() as u8;
                let y = n - 1 - t;
                Rectangle::new(
                    [
                        (SegmentValue::Exact(p), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(p + 1), SegmentValue::Exact(y + 1)),
                    ],
                    RGBColor(c(8), c(48), c(107)).filled(),
                )
            }))
            .map_err(&err)?;
        let text_size = (f64::from(size) / (n as f64 * 4.0)).clamp(8.0, 24.0);
        chart
            .draw_series(cells.map(|(t, p)| {
                let color: &'static RGBColor = if shade(t, p) > 0.5 { &WHITE } else { &BLACK };
                let style = TextStyle::from((font::FAMILY, text_size).into_font())
                    .color(color)
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Center,
                    ));
                Text::new(
                    counts[[t, p]].to_string(),
                    (SegmentValue::CenterOf(p), SegmentValue::CenterOf(n - 1 - t)),
                    style,
                )
            }))
            .map_err(&err)?;
        root.present().map_err(&err)
    }
}
