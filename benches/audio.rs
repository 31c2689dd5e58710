//! `cargo bench --bench audio`: MFCC of a fixed 60 s clip at 22,050 Hz with librosa's
//! defaults, on one thread, next to the bare realfft power-spectrum pass that bounds it
//! from below. Throughput is in seconds of audio: "elem/s" reads as "s of audio per s".
//!
//! The clip is also written to `target/audio_bench_clip.wav` so
//! `benches/librosa_mfcc.py` can time librosa on the same samples.

use std::hint::black_box;
use std::path::PathBuf;

use cadena::audio::mfcc::{MfccConfig, MfccExtractor, mfcc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use realfft_floor::power_pass;

const SR: u32 = 22050;
const SECONDS: u64 = 60;

/// A deterministic 60 s test signal: a slow chirp, a steady tone and white noise from a
/// fixed xorshift generator, quantised to 16 bits so the WAV copy holds the same samples.
fn clip() -> Vec<f32> {
    let n = SR as usize * SECONDS as usize;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..n)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
            let t = i as f32 / SR as f32;
            let chirp = (2.0 * std::f32::consts::PI * (200.0 + 30.0 * t) * t).sin();
            let tone = (2.0 * std::f32::consts::PI * 1000.0 * t).sin();
            let y = 0.4 * chirp + 0.2 * tone + 0.1 * noise;
            (y * 32768.0).round() / 32768.0
        })
        .collect()
}

fn write_wav(y: &[f32]) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/audio_bench_clip.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SR,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).expect("create bench clip");
    for &s in y {
        writer
            .write_sample((s * 32768.0) as i16)
            .expect("write bench clip");
    }
    writer.finalize().expect("finish bench clip");
    path
}

/// The practical floor: realfft over every centred, windowed frame and |X|^2, nothing
/// else. No mel projection, no logarithm, no DCT.
mod realfft_floor {
    use realfft::RealFftPlanner;

    pub fn power_pass(y: &[f32], n_fft: usize, hop: usize, window: &[f32]) -> f32 {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(n_fft);
        let (mut frame, mut spectrum, mut scratch) = (
            fft.make_input_vec(),
            fft.make_output_vec(),
            fft.make_scratch_vec(),
        );
        let mut padded = vec![0.0f32; n_fft / 2];
        padded.extend_from_slice(y);
        padded.extend(std::iter::repeat_n(0.0, n_fft / 2));
        let mut total = 0.0f32;
        for start in (0..=padded.len() - n_fft).step_by(hop) {
            for ((f, s), w) in frame.iter_mut().zip(&padded[start..]).zip(window) {
                *f = s * w;
            }
            fft.process_with_scratch(&mut frame, &mut spectrum, &mut scratch)
                .expect("fft");
            total += spectrum.iter().map(|c| c.norm_sqr()).sum::<f32>();
        }
        total
    }
}

fn bench_mfcc(c: &mut Criterion) {
    let y = clip();
    let path = write_wav(&y);
    eprintln!("bench clip: {} ({} s at {SR} Hz)", path.display(), SECONDS);
    let config = MfccConfig::default();
    let window = cadena::audio::stft::hann_window(2048, 2048);

    let mut group = c.benchmark_group("mfcc_60s_22050hz_one_thread");
    group.throughput(Throughput::Elements(SECONDS));
    group.sample_size(30);

    let mut extractor = MfccExtractor::new(SR, &config).expect("plan");
    group.bench_function("extractor_reused", |b| {
        b.iter(|| extractor.compute(black_box(&y)).expect("mfcc"))
    });
    group.bench_function("mfcc_fn_plans_each_call", |b| {
        b.iter(|| mfcc(black_box(&y), SR, &config).expect("mfcc"))
    });
    group.bench_function("floor_realfft_power_only", |b| {
        b.iter(|| power_pass(black_box(&y), 2048, 512, &window))
    });
    group.finish();
}

/// Best-of-N wall times, printed as ms per clip and seconds of audio per second. The
/// minimum is the figure least disturbed by other processes on a shared machine, and
/// `benches/librosa_mfcc.py` reports the same statistic.
fn report_best_of(_: &mut Criterion) {
    let y = clip();
    let window = cadena::audio::stft::hann_window(2048, 2048);
    let mut extractor = MfccExtractor::new(SR, &MfccConfig::default()).expect("plan");
    let best = |f: &mut dyn FnMut()| {
        (0..60)
            .map(|_| {
                let start = std::time::Instant::now();
                f();
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let ours = best(&mut || {
        black_box(extractor.compute(black_box(&y)).expect("mfcc"));
    });
    let floor = best(&mut || {
        black_box(power_pass(black_box(&y), 2048, 512, &window));
    });
    for (name, secs) in [
        ("cadena mfcc (extractor reused)", ours),
        ("realfft power floor", floor),
    ] {
        println!(
            "best of 60, {name}: {:.2} ms per 60 s clip, {:.0} s of audio per s",
            secs * 1e3,
            SECONDS as f64 / secs
        );
    }
    println!("cadena mfcc / floor: {:.2}x", ours / floor);
}

criterion_group!(benches, bench_mfcc, report_best_of);
criterion_main!(benches);
