//! Loss and accuracy curves of a training run, side by side.

use std::path::Path;

use plotters::prelude::*;

use super::{PlotSize, font, plot_error};
use crate::train::History;
use crate::{Error, Result};

const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VALIDATION: RGBColor = RGBColor(255, 127, 14);

#[cfg_attr(docsrs, doc(cfg(feature = "plot")))]
impl History {
    /// Draws loss (left) and accuracy (right) per epoch, training and validation, to a
    /// PNG at `path`. The accuracy panel is left out when no accuracy was recorded.
    ///
    /// ```no_run
    /// # use cadena::train::History;
    /// # let history = History::default();
    /// history.save_plot("curves.png")?;
    /// # Ok::<(), cadena::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Plot`] when the history has no epochs or the image cannot be drawn or
    /// written.
    pub fn save_plot(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_plot_sized(path, PlotSize::default())
    }

    /// [`save_plot`](Self::save_plot) with an explicit image size.
    ///
    /// # Errors
    ///
    /// As [`save_plot`](Self::save_plot).
    pub fn save_plot_sized(&self, path: impl AsRef<Path>, size: PlotSize) -> Result<()> {
        let path = path.as_ref();
        if self.epochs.is_empty() {
            return Err(Error::Plot {
                path: path.to_path_buf(),
                reason: "the history has no epochs".into(),
            });
        }
        font::register();
        let err = plot_error(path);
        let root = BitMapBackend::new(path, (size.width, size.height)).into_drawing_area();
        root.fill(&WHITE).map_err(&err)?;
        let has_accuracy = self
            .epochs
            .iter()
            .any(|e| e.train_accuracy.is_some() || e.val_accuracy.is_some());
        let panels = if has_accuracy {
            root.split_evenly((1, 2))
        } else {
            vec![root.clone()]
        };
        let loss: [(&str, Vec<Option<f64>>); 2] = [
            (
                "train",
                self.epochs.iter().map(|e| Some(e.train_loss)).collect(),
            ),
            ("validation", self.val_loss()),
        ];
        panel(&panels[0], "Loss", "loss", &loss).map_err(&err)?;
        if has_accuracy {
            let acc = [
                ("train", self.train_accuracy()),
                ("validation", self.val_accuracy()),
            ];
            panel(&panels[1], "Accuracy", "accuracy", &acc).map_err(&err)?;
        }
        root.present().map_err(&err)
    }
}

/// One chart of per-epoch series; missing values (`None`, non-finite) break no line, they
/// are skipped.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    y_desc: &str,
    series: &[(&str, Vec<Option<f64>>)],
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let points = |values: &[Option<f64>]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| ((i + 1) as f64, v)))
            .collect()
    };
    let all: Vec<f64> = series
        .iter()
        .flat_map(|(_, v)| points(v))
        .map(|(_, y)| y)
        .collect();
    let (lo, hi) = all
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| {
            (a.min(y), b.max(y))
        });
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.05).max(1e-6);
    let epochs = series
        .iter()
        .map(|(_, v)| v.len())
        .max()
        .unwrap_or(1)
        .max(2) as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (font::FAMILY, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(1.0..epochs, (lo - pad)..(hi + pad))?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .x_label_formatter(&|e| format!("{e:.0}"))
        .y_desc(y_desc)
        .label_style((font::FAMILY, 14))
        .draw()?;
    for ((name, values), color) in series.iter().zip([TRAIN, VALIDATION]) {
        let pts = points(values);
        if pts.is_empty() {
            continue;
        }
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
            .label(*name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .label_font((font::FAMILY, 14))
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
}
