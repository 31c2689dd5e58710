//! Plots: PNG files for training curves and confusion matrices, drawn with the bundled font.

use std::path::PathBuf;

use cadena::metrics::ConfusionMatrix;
use cadena::train::{EpochRecord, History};

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cadena-plot-{}-{name}", std::process::id()))
}

fn is_png(path: &PathBuf) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.len() > 1000 && bytes.starts_with(b"\x89PNG\r\n\x1a\n")
}

fn history(epochs: usize, with_val: bool) -> History {
    History {
        epochs: (1..=epochs)
            .map(|e| EpochRecord {
                epoch: e,
                lr: 0.1,
                train_loss: 1.0 / e as f64,
                train_accuracy: Some(1.0 - 0.5 / e as f64),
                val_loss: with_val.then(|| 1.2 / e as f64 + 0.01 * e as f64),
                val_accuracy: with_val.then(|| 0.9 - 0.4 / e as f64),
            })
            .collect(),
        ..Default::default()
    }
}

#[test]
fn history_draws_loss_and_accuracy_curves_to_png() {
    let path = temp("curves.png");
    history(20, true).save_plot(&path).unwrap();
    assert!(is_png(&path));
}

#[test]
fn a_single_epoch_without_validation_still_plots() {
    let path = temp("one.png");
    history(1, false).save_plot(&path).unwrap();
    assert!(is_png(&path));
}

#[test]
fn an_empty_history_is_a_plot_error() {
    let err = History::default().save_plot(temp("empty.png")).unwrap_err();
    assert!(matches!(err, cadena::Error::Plot { .. }));
}

#[test]
fn confusion_matrix_draws_a_heat_map_png() {
    let cm = ConfusionMatrix::new(&[0, 0, 1, 1, 2, 2, 2], &[0, 1, 1, 1, 2, 0, 2], 3)
        .unwrap()
        .with_class_names(["cat", "dog", "bird"])
        .unwrap();
    let path = temp("confusion.png");
    cm.save_heatmap(&path, 480).unwrap();
    assert!(is_png(&path));
}
