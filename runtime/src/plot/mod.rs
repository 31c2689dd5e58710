//! Pictures: training curves of a [`History`](crate::train::History), a
//! [`ConfusionMatrix`](crate::metrics::ConfusionMatrix) heat map (PNG), and a function's
//! computational graph with values and adjoints ([`GraphTrace`], SVG or PNG).
//!
//! Drawing uses plotters' bitmap backend with the DejaVu Sans font bundled in the crate
//! (`runtime/assets/`, licence beside it), so plots render the same on a bare machine
//! with no system fonts or fontconfig.
//!
//! ```no_run
//! # use cadena::train::History;
//! # let history = History::default();
//! history.save_plot("curves.png")?;
//! # Ok::<(), cadena::Error>(())
//! ```

mod confusion;
mod curves;
mod font;
mod graph;
mod trace;

pub use trace::{GraphTrace, TraceKind, TraceNode, significant};

/// Width and height, in pixels, of the images written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlotSize {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
}

impl Default for PlotSize {
    fn default() -> Self {
        Self {
            width: 1000,
            height: 420,
        }
    }
}

/// Turns a plotters error into cadena's, naming the file.
fn plot_error<E: std::fmt::Display>(path: &std::path::Path) -> impl Fn(E) -> crate::Error + '_ {
    move |e| crate::Error::Plot {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}
