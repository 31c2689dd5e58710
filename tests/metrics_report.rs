//! Metrics: accuracy, the confusion matrix table, per-class precision/recall/F1.

use cadena::Error;
use cadena::metrics::{ConfusionMatrix, accuracy, accuracy_from_scores};
use cadena::ndarray::array;

#[test]
fn accuracy_counts_matching_positions() {
    assert_eq!(accuracy(&[0, 1, 2, 2], &[0, 2, 2, 2]).unwrap(), 0.75);
    assert!(matches!(accuracy(&[0], &[0, 1]), Err(Error::Data(_))));
    assert!(matches!(accuracy(&[], &[]), Err(Error::Data(_))));
    let scores = array![[0.1_f32, 0.9], [0.8, 0.2]];
    assert_eq!(accuracy_from_scores(scores.view(), &[1, 1]).unwrap(), 0.5);
}

#[test]
fn precision_recall_and_f1_match_hand_counts() {
    // class 0: 3 examples, 2 right; class 1: 2 examples, both right, plus one false positive.
    let cm = ConfusionMatrix::new(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 1, 2], 3).unwrap();
    assert_eq!(cm.recall(0), Some(2.0 / 3.0));
    assert_eq!(cm.precision(0), Some(1.0));
    assert_eq!(cm.precision(1), Some(2.0 / 3.0));
    assert_eq!(cm.recall(1), Some(1.0));
    let f1 = cm.f1(1).unwrap();
    assert!((f1 - 0.8).abs() < 1e-12);
    assert_eq!(cm.accuracy(), Some(5.0 / 6.0));
    let report = cm.report();
    assert_eq!(
        report.iter().map(|r| r.support).collect::<Vec<_>>(),
        [3, 2, 1]
    );
}

#[test]
fn classes_never_predicted_or_absent_have_no_precision_or_recall() {
    let cm = ConfusionMatrix::new(&[0, 0], &[0, 0], 2).unwrap();
    assert_eq!(cm.precision(1), None);
    assert_eq!(cm.recall(1), None);
    assert_eq!(cm.f1(1), None);
}

#[test]
fn table_aligns_long_class_names_and_wide_counts() {
    let truth: Vec<usize> = [vec![0; 120], vec![1; 3]].concat();
    let pred: Vec<usize> = [vec![0; 118], vec![1; 2], vec![1; 3]].concat();
    let cm = ConfusionMatrix::new(&truth, &pred, 2)
        .unwrap()
        .with_class_names(["speech", "music-and-noise"])
        .unwrap();
    let table = cm.to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines[0], "    true \\ pred  speech  music-and-noise");
    assert_eq!(lines[1], "         speech     118                2");
    assert_eq!(lines[2], "music-and-noise       0                3");
    assert!(cm.clone().with_class_names(["one"]).is_err());
}

#[test]
fn out_of_range_classes_are_errors() {
    let err = ConfusionMatrix::new(&[0, 5], &[0, 1], 3).unwrap_err();
    assert!(err.to_string().contains("example 1"), "{err}");
}
