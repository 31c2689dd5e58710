//! Data handling: splits, standardisation fitted on training data only, one-hot, batching.

use cadena::Error;
use cadena::data::{Batches, Dataset, SplitConfig, Standardizer, argmax_rows, one_hot};
use cadena::init::seeded;
use cadena::ndarray::{Array2, array};

/// 100 rows, feature = row index, classes 0/1/2 in proportion 60/30/10.
fn uneven() -> Dataset<f64> {
    let labels: Vec<usize> = (0..100)
        .map(|i| {
            if i < 60 {
                0
            } else if i < 90 {
                1
            } else {
                2
            }
        })
        .collect();
    Dataset::classification(
        Array2::from_shape_fn((100, 1), |(i, _)| i as f64),
        labels,
        3,
    )
    .unwrap()
}

fn rows(d: &Dataset<f64>) -> Vec<usize> {
    d.x.column(0).iter().map(|&v| v as usize).collect()
}

fn count(d: &Dataset<f64>, class: usize) -> usize {
    d.labels
        .as_ref()
        .unwrap()
        .iter()
        .filter(|&&c| c == class)
        .count()
}

#[test]
fn splits_are_disjoint_and_cover_every_row() {
    let s = uneven().split(&SplitConfig::default()).unwrap();
    let mut all: Vec<usize> = [rows(&s.train), rows(&s.validation), rows(&s.test)].concat();
    all.sort_unstable();
    assert_eq!(all, (0..100).collect::<Vec<_>>());
}

#[test]
fn stratified_split_keeps_class_proportions_in_every_part() {
    let cfg = SplitConfig {
        validation: 0.2,
        test: 0.1,
        stratified: true,
        seed: 3,
    };
    let s = uneven().split(&cfg).unwrap();
    assert_eq!(
        [
            count(&s.validation, 0),
            count(&s.validation, 1),
            count(&s.validation, 2)
        ],
        [12, 6, 2]
    );
    assert_eq!(
        [count(&s.test, 0), count(&s.test, 1), count(&s.test, 2)],
        [6, 3, 1]
    );
    assert_eq!(
        [count(&s.train, 0), count(&s.train, 1), count(&s.train, 2)],
        [42, 21, 7]
    );
}

#[test]
fn labels_stay_with_their_rows_after_splitting() {
    let s = uneven().split(&SplitConfig::default()).unwrap();
    for part in [&s.train, &s.validation, &s.test] {
        for (row, &label) in rows(part).iter().zip(part.labels.as_ref().unwrap()) {
            let expected = if *row < 60 {
                0
            } else if *row < 90 {
                1
            } else {
                2
            };
            assert_eq!(label, expected);
            assert_eq!(
                part.y
                    .row(rows(part).iter().position(|r| r == row).unwrap())[label],
                1.0
            );
        }
    }
}

#[test]
fn same_seed_same_split_and_another_seed_another() {
    let cfg = SplitConfig {
        stratified: false,
        ..Default::default()
    };
    let a = uneven().split(&cfg).unwrap();
    let b = uneven().split(&cfg).unwrap();
    let c = uneven().split(&SplitConfig { seed: 9, ..cfg }).unwrap();
    assert_eq!(rows(&a.test), rows(&b.test));
    assert_ne!(rows(&a.test), rows(&c.test));
}

#[test]
fn bad_split_fractions_are_named() {
    let r = uneven().split(&SplitConfig {
        validation: 0.6,
        test: 0.5,
        ..Default::default()
    });
    assert!(matches!(r, Err(Error::InvalidConfig { name: "test", .. })));
    let r = uneven().split(&SplitConfig {
        validation: -0.1,
        ..Default::default()
    });
    assert!(matches!(
        r,
        Err(Error::InvalidConfig {
            name: "validation",
            ..
        })
    ));
    let reg = Dataset::regression(Array2::<f64>::zeros((4, 1)), Array2::zeros((4, 1))).unwrap();
    assert!(matches!(
        reg.split(&SplitConfig::default()),
        Err(Error::Data(_))
    ));
}

#[test]
fn standardizer_uses_training_statistics_for_every_split() {
    let mut s = uneven().split(&SplitConfig::default()).unwrap();
    let train_mean = s.train.x.mean().unwrap();
    let train_std = s.train.x.std(0.0);
    let test_before = s.test.x.clone();
    let st = Standardizer::fit(&s.train.x).unwrap();
    st.apply_to_splits(&mut s).unwrap();
    assert!(s.train.x.mean().unwrap().abs() < 1e-12);
    assert!((s.train.x.std(0.0) - 1.0).abs() < 1e-12);
    let expected = (test_before - train_mean) / train_std;
    assert!((&s.test.x - &expected).iter().all(|d| d.abs() < 1e-12));
    assert!(matches!(
        st.transform(&Array2::zeros((1, 2))),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn constant_features_are_centred_not_divided_by_zero() {
    let st = Standardizer::fit(&array![[5.0, 1.0], [5.0, 3.0]]).unwrap();
    assert_eq!(
        st.transform(&array![[6.0, 2.0]]).unwrap(),
        array![[1.0, 0.0]]
    );
}

#[test]
fn one_hot_rejects_out_of_range_labels_and_argmax_inverts_it() {
    let y = one_hot::<f32>(&[1, 0, 2], 3).unwrap();
    assert_eq!(argmax_rows(y.view()), [1, 0, 2]);
    let err = one_hot::<f32>(&[0, 3], 3).unwrap_err();
    assert!(err.to_string().contains("label 3 at row 1"), "{err}");
}

#[test]
fn batches_visit_every_row_once_per_epoch_in_a_seeded_order() {
    let d = uneven();
    let mut batches = Batches::new(&d, 32);
    assert_eq!(batches.len(), 4);
    let mut rng = seeded(5);
    let mut epochs = Vec::new();
    for _ in 0..2 {
        batches.shuffle(&mut rng);
        let mut seen = Vec::new();
        while let Some(b) = batches.next_batch() {
            assert_eq!(b.x.nrows(), b.y.nrows());
            seen.extend(b.x.column(0).iter().map(|&v| v as usize));
        }
        epochs.push(seen.clone());
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
    assert_ne!(epochs[0], epochs[1], "each epoch draws a new order");
}
