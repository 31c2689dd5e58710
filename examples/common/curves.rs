//! The course examples train with explicit loops (`w = w - η dL/dw` in plain sight); this
//! records their epochs in a `cadena::train::History` so they draw the same curves as
//! `cadena::train::fit` does.

use cadena::train::{EpochRecord, History};

/// Appends epoch `epoch` (0-based) with its mean loss and accuracy.
pub fn record(history: &mut History, epoch: usize, lr: f64, loss: f64, accuracy: f64) {
    history.epochs.push(EpochRecord {
        epoch: epoch + 1,
        lr,
        train_loss: loss,
        train_accuracy: Some(accuracy),
        val_loss: None,
        val_accuracy: None,
    });
}

/// Writes the loss and accuracy curves to `target/plots/NAME_curves.png` and says where.
pub fn save(history: &History, name: &str) {
    let path = format!("target/plots/{name}_curves.png");
    let written = std::fs::create_dir_all("target/plots")
        .map_err(|e| e.to_string())
        .and_then(|()| history.save_plot(&path).map_err(|e| e.to_string()));
    match written {
        Ok(()) => println!("curves written to {path}"),
        Err(e) => eprintln!("could not write {path}: {e}"),
    }
}
