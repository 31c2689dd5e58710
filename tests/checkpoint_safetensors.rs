//! Checkpoints: safetensors files named by field path, atomic writes, strict loading.

use std::path::PathBuf;

use cadena::Error;
use cadena::checkpoint::{ROOT_NAME, load, save};
use cadena::ndarray::{Array1, Array2, array};
use cadena::prelude::*;
use safetensors::{Dtype, SafeTensors};

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Layer {
    w1: Array2<f32>,
    b1: Array1<f32>,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Net {
    enc: Layer,
    w1: Array2<f32>,
    scale: f32,
}

#[derive(Parameters, Clone, Debug, PartialEq)]
struct Other {
    enc: Layer,
    w1: Array2<f32>,
    gain: f32,
}

fn net() -> Net {
    Net {
        enc: Layer {
            w1: array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
            b1: array![-1.0, 0.5, 0.25],
        },
        w1: array![[0.125], [-8.0], [1e-7]],
        scale: 3.5,
    }
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cadena-ckpt-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("model.safetensors")
}

#[test]
fn file_written_by_cadena_reads_back_with_the_safetensors_crate() {
    let path = temp("interop");
    save(&net(), &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort_unstable();
    assert_eq!(names, ["enc.b1", "enc.w1", "scale", "w1"]);
    let w = file.tensor("enc.w1").unwrap();
    assert_eq!((w.dtype(), w.shape()), (Dtype::F32, &[2, 3][..]));
    let values: Vec<f32> = w
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(values, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let scale = file.tensor("scale").unwrap();
    assert_eq!(scale.shape(), &[] as &[usize]);
    assert_eq!(scale.data(), 3.5f32.to_le_bytes());
}

#[test]
fn save_then_load_round_trips_bit_for_bit() {
    let path = temp("roundtrip");
    save(&net(), &path).unwrap();
    let mut loaded = net().zeros_like();
    load(&mut loaded, &path).unwrap();
    assert_eq!(loaded, net());
}

#[test]
fn a_bare_array_model_is_stored_under_the_root_name() {
    let path = temp("root");
    save(&array![1.0_f64, 2.0], &path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    assert_eq!(file.names(), [ROOT_NAME]);
    assert_eq!(file.tensor(ROOT_NAME).unwrap().dtype(), Dtype::F64);
    let mut back = array![0.0_f64, 0.0];
    load(&mut back, &path).unwrap();
    assert_eq!(back, array![1.0, 2.0]);
}

#[test]
fn missing_and_unexpected_tensors_are_named_and_nothing_is_loaded() {
    let path = temp("missing");
    save(&net(), &path).unwrap();
    let mut other = Other {
        enc: net().enc.zeros_like(),
        w1: Array2::zeros((3, 1)),
        gain: 0.0,
    };
    let before = other.clone();
    let err = load(&mut other, &path).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::Checkpoint { .. }));
    assert!(msg.contains("missing tensors: gain"), "{msg}");
    assert!(
        msg.contains("tensors the model does not have: scale"),
        "{msg}"
    );
    assert_eq!(other, before);
}

#[test]
fn mis_shaped_tensors_are_named_with_both_shapes() {
    let path = temp("shape");
    save(&net(), &path).unwrap();
    let mut wrong = net();
    wrong.enc.w1 = Array2::zeros((3, 2));
    let msg = load(&mut wrong, &path).unwrap_err().to_string();
    assert!(
        msg.contains("mis-shaped tensors: enc.w1 (file [2, 3], model [3, 2])"),
        "{msg}"
    );
}

#[test]
fn saving_leaves_no_temporary_file_and_replaces_the_old_one() {
    let path = temp("atomic");
    save(&net(), &path).unwrap();
    let mut changed = net();
    changed.scale = -1.0;
    save(&changed, &path).unwrap();
    let entries: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, ["model.safetensors"]);
    let mut back = net();
    load(&mut back, &path).unwrap();
    assert_eq!(back.scale, -1.0);
}

#[test]
fn unreadable_or_corrupt_files_are_errors() {
    let path = temp("corrupt");
    assert!(matches!(
        load(&mut net(), path.with_file_name("absent.safetensors")),
        Err(Error::Io { .. })
    ));
    std::fs::write(&path, b"not a safetensors file").unwrap();
    assert!(matches!(
        load(&mut net(), &path),
        Err(Error::Checkpoint { .. })
    ));
}
