//! Bodies the macro once accepted and then emitted code that did not compile, panicked
//! on, or differentiated wrongly (issue 26): each now compiles and is checked.

use cadena::ndarray::Array2;
use cadena::prelude::*;

#[differentiable(wrt(c))]
fn loop_over_a_wrt_array(c: &[f64; 5], x: f64) -> f64 {
    let mut acc = 0.0;
    for i in 0..5 {
        acc = acc + c[i] * x;
    }
    acc
}

#[test]
fn a_loop_reading_a_wrt_array_beside_a_float_outside_wrt_compiles() {
    let c = [1.0, 2.0, 3.0, 4.0, 5.0];
    let (value, g) = loop_over_a_wrt_array::grad(&c, 2.0);
    assert_eq!(value, 30.0);
    assert_eq!(g.c, [2.0; 5]);
}

#[differentiable]
fn folded_past_f32(x: f32) -> f32 {
    (x * 1e20).powi(2)
}

#[test]
fn a_folded_constant_that_overflows_f32_is_infinite_as_the_arithmetic_would_be() {
    let (value, g) = folded_past_f32::grad(1.0);
    assert_eq!(value, f32::INFINITY);
    assert_eq!(g.x, f32::INFINITY);
}

// The body the fuzzer found, as written; clippy rightly finds it odd.
#[allow(clippy::eq_op)]
#[differentiable]
fn over_a_cancelling_sum(x: f64) -> f64 {
    x / (x - x)
}

#[test]
fn a_quotient_by_a_cancelling_sum_has_a_derivation() {
    assert!(over_a_cancelling_sum::DERIVATION.starts_with("dL/dx = "));
    assert!(over_a_cancelling_sum(1.0).is_infinite());
}

#[differentiable]
fn max_of_a_nan(x: f64) -> f64 {
    x.max(x.ln())
}

#[differentiable]
fn min_of_a_nan(x: f64) -> f64 {
    x.ln().min(x)
}

#[test]
fn the_derivative_of_max_and_min_follows_the_operand_a_nan_left_standing() {
    // ln(-0.5) is NaN; Rust's max and min return the other operand, x.
    let (value, g) = max_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
    let (value, g) = min_of_a_nan::grad(-0.5);
    assert_eq!((value, g.x), (-0.5, 1.0));
}

#[differentiable(wrt(w))]
fn tensor_abs_in_a_loop(w: &Array2<f64>, x: &Array2<f64>) -> f64 {
    let mut acc = x.clone();
    for _ in 0..3 {
        acc = (acc.dot(w)).abs() + 0.5;
    }
    sum(acc)
}

#[test]
fn abs_inside_a_tensor_loop_compiles() {
    let w = cadena::ndarray::array![[0.5, -0.2], [0.1, 0.3]];
    let x = cadena::ndarray::array![[1.0, -2.0]];
    let (value, _) = tensor_abs_in_a_loop::grad(&w, &x);
    assert!((value - tensor_abs_in_a_loop(&w, &x)).abs() < 1e-12);
}

#[differentiable]
fn logistic_loss(z: f64, y: f64) -> f64 {
    bce(sigmoid(z), y)
}

#[test]
fn the_fused_logistic_loss_and_its_gradient_stay_accurate_at_large_logits() {
    // References: log1p(e^-z) and -1/(1 + e^z), from mpmath at 60 digits, rounded to
    // f64 (runtime/tools/loss_references.py computes the same family).
    for (z, loss, grad) in [
        (30.0, 9.357622968839737e-14, -9.357622968839299e-14),
        (36.0, 2.319522830243569e-16, -2.3195228302435686e-16),
        (700.0, 9.85967654375977e-305, -9.85967654375977e-305),
    ] {
        let (value, g) = logistic_loss::grad(z, 1.0);
        assert!(
            ((value - loss) / loss).abs() < 4e-16,
            "loss at {z}: {value}"
        );
        assert!(
            ((g.z - grad) / grad).abs() < 4e-16,
            "gradient at {z}: {}",
            g.z
        );
    }
    assert_eq!(
        logistic_loss::DERIVATION.lines().next(),
        Some("dL/dz = sigmoid(z) - y")
    );
}

#[allow(unused_variables)]
#[differentiable]
fn an_unused_shadowing_let(a: f64, b: f64) -> f64 {
    let v = a * 2.0;
    let a = b;
    v
}

#[test]
fn an_unused_let_shadowing_an_argument_leaves_the_argument_alone_before_it() {
    let (value, g) = an_unused_shadowing_let::grad(1.5, 4.0);
    assert_eq!((value, g.a, g.b), (3.0, 2.0, 0.0));
}

#[differentiable(wrt(w))]
fn long_chain(x: &Array2<f64>, w: &Array2<f64>) -> f64 {
    let s0 = x.dot(w);
    let s1 = s0.sin() + x.dot(w);
    let s2 = s1.sin() + x.dot(w);
    let s3 = s2.sin() + x.dot(w);
    let s4 = s3.sin() + x.dot(w);
    let s5 = s4.sin() + x.dot(w);
    let s6 = s5.sin() + x.dot(w);
    let s7 = s6.sin() + x.dot(w);
    let s8 = s7.sin() + x.dot(w);
    let s9 = s8.sin() + x.dot(w);
    let s10 = s9.sin() + x.dot(w);
    let s11 = s10.sin() + x.dot(w);
    let s12 = s11.sin() + x.dot(w);
    let s13 = s12.sin() + x.dot(w);
    let s14 = s13.sin() + x.dot(w);
    let s15 = s14.sin() + x.dot(w);
    let s16 = s15.sin() + x.dot(w);
    let s17 = s16.sin() + x.dot(w);
    let s18 = s17.sin() + x.dot(w);
    let s19 = s18.sin() + x.dot(w);
    let s20 = s19.sin() + x.dot(w);
    let s21 = s20.sin() + x.dot(w);
    let s22 = s21.sin() + x.dot(w);
    let s23 = s22.sin() + x.dot(w);
    let s24 = s23.sin() + x.dot(w);
    let s25 = s24.sin() + x.dot(w);
    let s26 = s25.sin() + x.dot(w);
    let s27 = s26.sin() + x.dot(w);
    let s28 = s27.sin() + x.dot(w);
    let s29 = s28.sin() + x.dot(w);
    let s30 = s29.sin() + x.dot(w);
    let s31 = s30.sin() + x.dot(w);
    let s32 = s31.sin() + x.dot(w);
    let s33 = s32.sin() + x.dot(w);
    let s34 = s33.sin() + x.dot(w);
    let s35 = s34.sin() + x.dot(w);
    let s36 = s35.sin() + x.dot(w);
    let s37 = s36.sin() + x.dot(w);
    let s38 = s37.sin() + x.dot(w);
    let s39 = s38.sin() + x.dot(w);
    let s40 = s39.sin() + x.dot(w);
    let s41 = s40.sin() + x.dot(w);
    let s42 = s41.sin() + x.dot(w);
    let s43 = s42.sin() + x.dot(w);
    let s44 = s43.sin() + x.dot(w);
    let s45 = s44.sin() + x.dot(w);
    let s46 = s45.sin() + x.dot(w);
    let s47 = s46.sin() + x.dot(w);
    let s48 = s47.sin() + x.dot(w);
    let s49 = s48.sin() + x.dot(w);
    let s50 = s49.sin() + x.dot(w);
    let s51 = s50.sin() + x.dot(w);
    let s52 = s51.sin() + x.dot(w);
    let s53 = s52.sin() + x.dot(w);
    let s54 = s53.sin() + x.dot(w);
    let s55 = s54.sin() + x.dot(w);
    let s56 = s55.sin() + x.dot(w);
    let s57 = s56.sin() + x.dot(w);
    let s58 = s57.sin() + x.dot(w);
    let s59 = s58.sin() + x.dot(w);
    let s60 = s59.sin() + x.dot(w);
    let s61 = s60.sin() + x.dot(w);
    let s62 = s61.sin() + x.dot(w);
    let s63 = s62.sin() + x.dot(w);
    let s64 = s63.sin() + x.dot(w);
    let s65 = s64.sin() + x.dot(w);
    let s66 = s65.sin() + x.dot(w);
    let s67 = s66.sin() + x.dot(w);
    let s68 = s67.sin() + x.dot(w);
    let s69 = s68.sin() + x.dot(w);
    let s70 = s69.sin() + x.dot(w);
    let s71 = s70.sin() + x.dot(w);
    let s72 = s71.sin() + x.dot(w);
    let s73 = s72.sin() + x.dot(w);
    let s74 = s73.sin() + x.dot(w);
    let s75 = s74.sin() + x.dot(w);
    let s76 = s75.sin() + x.dot(w);
    let s77 = s76.sin() + x.dot(w);
    let s78 = s77.sin() + x.dot(w);
    let s79 = s78.sin() + x.dot(w);
    let s80 = s79.sin() + x.dot(w);
    let s81 = s80.sin() + x.dot(w);
    let s82 = s81.sin() + x.dot(w);
    let s83 = s82.sin() + x.dot(w);
    let s84 = s83.sin() + x.dot(w);
    let s85 = s84.sin() + x.dot(w);
    let s86 = s85.sin() + x.dot(w);
    let s87 = s86.sin() + x.dot(w);
    let s88 = s87.sin() + x.dot(w);
    let s89 = s88.sin() + x.dot(w);
    let s90 = s89.sin() + x.dot(w);
    let s91 = s90.sin() + x.dot(w);
    let s92 = s91.sin() + x.dot(w);
    let s93 = s92.sin() + x.dot(w);
    let s94 = s93.sin() + x.dot(w);
    let s95 = s94.sin() + x.dot(w);
    let s96 = s95.sin() + x.dot(w);
    let s97 = s96.sin() + x.dot(w);
    let s98 = s97.sin() + x.dot(w);
    let s99 = s98.sin() + x.dot(w);
    let s100 = s99.sin() + x.dot(w);
    let s101 = s100.sin() + x.dot(w);
    let s102 = s101.sin() + x.dot(w);
    let s103 = s102.sin() + x.dot(w);
    let s104 = s103.sin() + x.dot(w);
    let s105 = s104.sin() + x.dot(w);
    let s106 = s105.sin() + x.dot(w);
    let s107 = s106.sin() + x.dot(w);
    let s108 = s107.sin() + x.dot(w);
    let s109 = s108.sin() + x.dot(w);
    let s110 = s109.sin() + x.dot(w);
    let s111 = s110.sin() + x.dot(w);
    let s112 = s111.sin() + x.dot(w);
    let s113 = s112.sin() + x.dot(w);
    let s114 = s113.sin() + x.dot(w);
    let s115 = s114.sin() + x.dot(w);
    let s116 = s115.sin() + x.dot(w);
    let s117 = s116.sin() + x.dot(w);
    let s118 = s117.sin() + x.dot(w);
    let s119 = s118.sin() + x.dot(w);
    let s120 = s119.sin() + x.dot(w);
    let s121 = s120.sin() + x.dot(w);
    let s122 = s121.sin() + x.dot(w);
    let s123 = s122.sin() + x.dot(w);
    let s124 = s123.sin() + x.dot(w);
    let s125 = s124.sin() + x.dot(w);
    let s126 = s125.sin() + x.dot(w);
    let s127 = s126.sin() + x.dot(w);
    let s128 = s127.sin() + x.dot(w);
    let s129 = s128.sin() + x.dot(w);
    let s130 = s129.sin() + x.dot(w);
    let s131 = s130.sin() + x.dot(w);
    let s132 = s131.sin() + x.dot(w);
    let s133 = s132.sin() + x.dot(w);
    let s134 = s133.sin() + x.dot(w);
    let s135 = s134.sin() + x.dot(w);
    let s136 = s135.sin() + x.dot(w);
    let s137 = s136.sin() + x.dot(w);
    let s138 = s137.sin() + x.dot(w);
    let s139 = s138.sin() + x.dot(w);
    let s140 = s139.sin() + x.dot(w);
    let s141 = s140.sin() + x.dot(w);
    let s142 = s141.sin() + x.dot(w);
    let s143 = s142.sin() + x.dot(w);
    let s144 = s143.sin() + x.dot(w);
    let s145 = s144.sin() + x.dot(w);
    let s146 = s145.sin() + x.dot(w);
    let s147 = s146.sin() + x.dot(w);
    let s148 = s147.sin() + x.dot(w);
    let s149 = s148.sin() + x.dot(w);
    let s150 = s149.sin() + x.dot(w);
    let s151 = s150.sin() + x.dot(w);
    let s152 = s151.sin() + x.dot(w);
    let s153 = s152.sin() + x.dot(w);
    let s154 = s153.sin() + x.dot(w);
    let s155 = s154.sin() + x.dot(w);
    let s156 = s155.sin() + x.dot(w);
    let s157 = s156.sin() + x.dot(w);
    let s158 = s157.sin() + x.dot(w);
    let s159 = s158.sin() + x.dot(w);
    let s160 = s159.sin() + x.dot(w);
    let s161 = s160.sin() + x.dot(w);
    let s162 = s161.sin() + x.dot(w);
    let s163 = s162.sin() + x.dot(w);
    let s164 = s163.sin() + x.dot(w);
    let s165 = s164.sin() + x.dot(w);
    let s166 = s165.sin() + x.dot(w);
    let s167 = s166.sin() + x.dot(w);
    let s168 = s167.sin() + x.dot(w);
    let s169 = s168.sin() + x.dot(w);
    let s170 = s169.sin() + x.dot(w);
    let s171 = s170.sin() + x.dot(w);
    let s172 = s171.sin() + x.dot(w);
    let s173 = s172.sin() + x.dot(w);
    let s174 = s173.sin() + x.dot(w);
    let s175 = s174.sin() + x.dot(w);
    let s176 = s175.sin() + x.dot(w);
    let s177 = s176.sin() + x.dot(w);
    let s178 = s177.sin() + x.dot(w);
    let s179 = s178.sin() + x.dot(w);
    let s180 = s179.sin() + x.dot(w);
    let s181 = s180.sin() + x.dot(w);
    let s182 = s181.sin() + x.dot(w);
    let s183 = s182.sin() + x.dot(w);
    let s184 = s183.sin() + x.dot(w);
    let s185 = s184.sin() + x.dot(w);
    let s186 = s185.sin() + x.dot(w);
    let s187 = s186.sin() + x.dot(w);
    let s188 = s187.sin() + x.dot(w);
    let s189 = s188.sin() + x.dot(w);
    let s190 = s189.sin() + x.dot(w);
    let s191 = s190.sin() + x.dot(w);
    let s192 = s191.sin() + x.dot(w);
    let s193 = s192.sin() + x.dot(w);
    let s194 = s193.sin() + x.dot(w);
    let s195 = s194.sin() + x.dot(w);
    let s196 = s195.sin() + x.dot(w);
    let s197 = s196.sin() + x.dot(w);
    let s198 = s197.sin() + x.dot(w);
    let s199 = s198.sin() + x.dot(w);
    let s200 = s199.sin() + x.dot(w);
    let s201 = s200.sin() + x.dot(w);
    let s202 = s201.sin() + x.dot(w);
    let s203 = s202.sin() + x.dot(w);
    let s204 = s203.sin() + x.dot(w);
    let s205 = s204.sin() + x.dot(w);
    let s206 = s205.sin() + x.dot(w);
    let s207 = s206.sin() + x.dot(w);
    let s208 = s207.sin() + x.dot(w);
    let s209 = s208.sin() + x.dot(w);
    let s210 = s209.sin() + x.dot(w);
    let s211 = s210.sin() + x.dot(w);
    let s212 = s211.sin() + x.dot(w);
    let s213 = s212.sin() + x.dot(w);
    let s214 = s213.sin() + x.dot(w);
    let s215 = s214.sin() + x.dot(w);
    let s216 = s215.sin() + x.dot(w);
    let s217 = s216.sin() + x.dot(w);
    let s218 = s217.sin() + x.dot(w);
    let s219 = s218.sin() + x.dot(w);
    let s220 = s219.sin() + x.dot(w);
    let s221 = s220.sin() + x.dot(w);
    let s222 = s221.sin() + x.dot(w);
    let s223 = s222.sin() + x.dot(w);
    let s224 = s223.sin() + x.dot(w);
    let s225 = s224.sin() + x.dot(w);
    let s226 = s225.sin() + x.dot(w);
    let s227 = s226.sin() + x.dot(w);
    let s228 = s227.sin() + x.dot(w);
    let s229 = s228.sin() + x.dot(w);
    let s230 = s229.sin() + x.dot(w);
    let s231 = s230.sin() + x.dot(w);
    let s232 = s231.sin() + x.dot(w);
    let s233 = s232.sin() + x.dot(w);
    let s234 = s233.sin() + x.dot(w);
    let s235 = s234.sin() + x.dot(w);
    let s236 = s235.sin() + x.dot(w);
    let s237 = s236.sin() + x.dot(w);
    let s238 = s237.sin() + x.dot(w);
    let s239 = s238.sin() + x.dot(w);
    let s240 = s239.sin() + x.dot(w);
    let s241 = s240.sin() + x.dot(w);
    let s242 = s241.sin() + x.dot(w);
    let s243 = s242.sin() + x.dot(w);
    let s244 = s243.sin() + x.dot(w);
    let s245 = s244.sin() + x.dot(w);
    let s246 = s245.sin() + x.dot(w);
    let s247 = s246.sin() + x.dot(w);
    let s248 = s247.sin() + x.dot(w);
    let s249 = s248.sin() + x.dot(w);
    let s250 = s249.sin() + x.dot(w);
    let s251 = s250.sin() + x.dot(w);
    let s252 = s251.sin() + x.dot(w);
    let s253 = s252.sin() + x.dot(w);
    let s254 = s253.sin() + x.dot(w);
    let s255 = s254.sin() + x.dot(w);
    let s256 = s255.sin() + x.dot(w);
    let s257 = s256.sin() + x.dot(w);
    let s258 = s257.sin() + x.dot(w);
    let s259 = s258.sin() + x.dot(w);
    let s260 = s259.sin() + x.dot(w);
    let s261 = s260.sin() + x.dot(w);
    let s262 = s261.sin() + x.dot(w);
    let s263 = s262.sin() + x.dot(w);
    let s264 = s263.sin() + x.dot(w);
    let s265 = s264.sin() + x.dot(w);
    let s266 = s265.sin() + x.dot(w);
    let s267 = s266.sin() + x.dot(w);
    let s268 = s267.sin() + x.dot(w);
    let s269 = s268.sin() + x.dot(w);
    let s270 = s269.sin() + x.dot(w);
    let s271 = s270.sin() + x.dot(w);
    let s272 = s271.sin() + x.dot(w);
    let s273 = s272.sin() + x.dot(w);
    let s274 = s273.sin() + x.dot(w);
    let s275 = s274.sin() + x.dot(w);
    let s276 = s275.sin() + x.dot(w);
    let s277 = s276.sin() + x.dot(w);
    let s278 = s277.sin() + x.dot(w);
    let s279 = s278.sin() + x.dot(w);
    let s280 = s279.sin() + x.dot(w);
    let s281 = s280.sin() + x.dot(w);
    let s282 = s281.sin() + x.dot(w);
    let s283 = s282.sin() + x.dot(w);
    let s284 = s283.sin() + x.dot(w);
    let s285 = s284.sin() + x.dot(w);
    let s286 = s285.sin() + x.dot(w);
    let s287 = s286.sin() + x.dot(w);
    let s288 = s287.sin() + x.dot(w);
    let s289 = s288.sin() + x.dot(w);
    let s290 = s289.sin() + x.dot(w);
    let s291 = s290.sin() + x.dot(w);
    let s292 = s291.sin() + x.dot(w);
    let s293 = s292.sin() + x.dot(w);
    let s294 = s293.sin() + x.dot(w);
    let s295 = s294.sin() + x.dot(w);
    let s296 = s295.sin() + x.dot(w);
    let s297 = s296.sin() + x.dot(w);
    let s298 = s297.sin() + x.dot(w);
    let s299 = s298.sin() + x.dot(w);
    let s300 = s299.sin() + x.dot(w);
    let s301 = s300.sin() + x.dot(w);
    let s302 = s301.sin() + x.dot(w);
    let s303 = s302.sin() + x.dot(w);
    let s304 = s303.sin() + x.dot(w);
    let s305 = s304.sin() + x.dot(w);
    let s306 = s305.sin() + x.dot(w);
    let s307 = s306.sin() + x.dot(w);
    let s308 = s307.sin() + x.dot(w);
    let s309 = s308.sin() + x.dot(w);
    let s310 = s309.sin() + x.dot(w);
    let s311 = s310.sin() + x.dot(w);
    let s312 = s311.sin() + x.dot(w);
    let s313 = s312.sin() + x.dot(w);
    let s314 = s313.sin() + x.dot(w);
    let s315 = s314.sin() + x.dot(w);
    let s316 = s315.sin() + x.dot(w);
    let s317 = s316.sin() + x.dot(w);
    let s318 = s317.sin() + x.dot(w);
    let s319 = s318.sin() + x.dot(w);
    let s320 = s319.sin() + x.dot(w);
    let s321 = s320.sin() + x.dot(w);
    let s322 = s321.sin() + x.dot(w);
    let s323 = s322.sin() + x.dot(w);
    let s324 = s323.sin() + x.dot(w);
    let s325 = s324.sin() + x.dot(w);
    let s326 = s325.sin() + x.dot(w);
    let s327 = s326.sin() + x.dot(w);
    let s328 = s327.sin() + x.dot(w);
    let s329 = s328.sin() + x.dot(w);
    let s330 = s329.sin() + x.dot(w);
    let s331 = s330.sin() + x.dot(w);
    let s332 = s331.sin() + x.dot(w);
    let s333 = s332.sin() + x.dot(w);
    let s334 = s333.sin() + x.dot(w);
    let s335 = s334.sin() + x.dot(w);
    let s336 = s335.sin() + x.dot(w);
    let s337 = s336.sin() + x.dot(w);
    let s338 = s337.sin() + x.dot(w);
    let s339 = s338.sin() + x.dot(w);
    let s340 = s339.sin() + x.dot(w);
    let s341 = s340.sin() + x.dot(w);
    let s342 = s341.sin() + x.dot(w);
    let s343 = s342.sin() + x.dot(w);
    let s344 = s343.sin() + x.dot(w);
    let s345 = s344.sin() + x.dot(w);
    let s346 = s345.sin() + x.dot(w);
    let s347 = s346.sin() + x.dot(w);
    let s348 = s347.sin() + x.dot(w);
    let s349 = s348.sin() + x.dot(w);
    let s350 = s349.sin() + x.dot(w);
    let s351 = s350.sin() + x.dot(w);
    let s352 = s351.sin() + x.dot(w);
    let s353 = s352.sin() + x.dot(w);
    let s354 = s353.sin() + x.dot(w);
    let s355 = s354.sin() + x.dot(w);
    let s356 = s355.sin() + x.dot(w);
    let s357 = s356.sin() + x.dot(w);
    let s358 = s357.sin() + x.dot(w);
    let s359 = s358.sin() + x.dot(w);
    let s360 = s359.sin() + x.dot(w);
    let s361 = s360.sin() + x.dot(w);
    let s362 = s361.sin() + x.dot(w);
    let s363 = s362.sin() + x.dot(w);
    let s364 = s363.sin() + x.dot(w);
    let s365 = s364.sin() + x.dot(w);
    let s366 = s365.sin() + x.dot(w);
    let s367 = s366.sin() + x.dot(w);
    let s368 = s367.sin() + x.dot(w);
    let s369 = s368.sin() + x.dot(w);
    let s370 = s369.sin() + x.dot(w);
    let s371 = s370.sin() + x.dot(w);
    let s372 = s371.sin() + x.dot(w);
    let s373 = s372.sin() + x.dot(w);
    let s374 = s373.sin() + x.dot(w);
    let s375 = s374.sin() + x.dot(w);
    let s376 = s375.sin() + x.dot(w);
    let s377 = s376.sin() + x.dot(w);
    let s378 = s377.sin() + x.dot(w);
    let s379 = s378.sin() + x.dot(w);
    let s380 = s379.sin() + x.dot(w);
    let s381 = s380.sin() + x.dot(w);
    let s382 = s381.sin() + x.dot(w);
    let s383 = s382.sin() + x.dot(w);
    let s384 = s383.sin() + x.dot(w);
    let s385 = s384.sin() + x.dot(w);
    let s386 = s385.sin() + x.dot(w);
    let s387 = s386.sin() + x.dot(w);
    let s388 = s387.sin() + x.dot(w);
    let s389 = s388.sin() + x.dot(w);
    let s390 = s389.sin() + x.dot(w);
    let s391 = s390.sin() + x.dot(w);
    let s392 = s391.sin() + x.dot(w);
    let s393 = s392.sin() + x.dot(w);
    let s394 = s393.sin() + x.dot(w);
    let s395 = s394.sin() + x.dot(w);
    let s396 = s395.sin() + x.dot(w);
    let s397 = s396.sin() + x.dot(w);
    let s398 = s397.sin() + x.dot(w);
    let s399 = s398.sin() + x.dot(w);
    let s400 = s399.sin() + x.dot(w);
    let s401 = s400.sin() + x.dot(w);
    let s402 = s401.sin() + x.dot(w);
    let s403 = s402.sin() + x.dot(w);
    let s404 = s403.sin() + x.dot(w);
    let s405 = s404.sin() + x.dot(w);
    let s406 = s405.sin() + x.dot(w);
    let s407 = s406.sin() + x.dot(w);
    let s408 = s407.sin() + x.dot(w);
    let s409 = s408.sin() + x.dot(w);
    let s410 = s409.sin() + x.dot(w);
    let s411 = s410.sin() + x.dot(w);
    let s412 = s411.sin() + x.dot(w);
    let s413 = s412.sin() + x.dot(w);
    let s414 = s413.sin() + x.dot(w);
    let s415 = s414.sin() + x.dot(w);
    let s416 = s415.sin() + x.dot(w);
    let s417 = s416.sin() + x.dot(w);
    let s418 = s417.sin() + x.dot(w);
    let s419 = s418.sin() + x.dot(w);
    let s420 = s419.sin() + x.dot(w);
    let s421 = s420.sin() + x.dot(w);
    let s422 = s421.sin() + x.dot(w);
    let s423 = s422.sin() + x.dot(w);
    let s424 = s423.sin() + x.dot(w);
    let s425 = s424.sin() + x.dot(w);
    let s426 = s425.sin() + x.dot(w);
    let s427 = s426.sin() + x.dot(w);
    let s428 = s427.sin() + x.dot(w);
    let s429 = s428.sin() + x.dot(w);
    let s430 = s429.sin() + x.dot(w);
    let s431 = s430.sin() + x.dot(w);
    let s432 = s431.sin() + x.dot(w);
    let s433 = s432.sin() + x.dot(w);
    let s434 = s433.sin() + x.dot(w);
    let s435 = s434.sin() + x.dot(w);
    let s436 = s435.sin() + x.dot(w);
    let s437 = s436.sin() + x.dot(w);
    let s438 = s437.sin() + x.dot(w);
    let s439 = s438.sin() + x.dot(w);
    let s440 = s439.sin() + x.dot(w);
    let s441 = s440.sin() + x.dot(w);
    let s442 = s441.sin() + x.dot(w);
    let s443 = s442.sin() + x.dot(w);
    let s444 = s443.sin() + x.dot(w);
    let s445 = s444.sin() + x.dot(w);
    let s446 = s445.sin() + x.dot(w);
    let s447 = s446.sin() + x.dot(w);
    let s448 = s447.sin() + x.dot(w);
    let s449 = s448.sin() + x.dot(w);
    let s450 = s449.sin() + x.dot(w);
    let s451 = s450.sin() + x.dot(w);
    let s452 = s451.sin() + x.dot(w);
    let s453 = s452.sin() + x.dot(w);
    let s454 = s453.sin() + x.dot(w);
    let s455 = s454.sin() + x.dot(w);
    let s456 = s455.sin() + x.dot(w);
    let s457 = s456.sin() + x.dot(w);
    let s458 = s457.sin() + x.dot(w);
    let s459 = s458.sin() + x.dot(w);
    let s460 = s459.sin() + x.dot(w);
    let s461 = s460.sin() + x.dot(w);
    let s462 = s461.sin() + x.dot(w);
    let s463 = s462.sin() + x.dot(w);
    let s464 = s463.sin() + x.dot(w);
    let s465 = s464.sin() + x.dot(w);
    let s466 = s465.sin() + x.dot(w);
    let s467 = s466.sin() + x.dot(w);
    let s468 = s467.sin() + x.dot(w);
    let s469 = s468.sin() + x.dot(w);
    let s470 = s469.sin() + x.dot(w);
    let s471 = s470.sin() + x.dot(w);
    let s472 = s471.sin() + x.dot(w);
    let s473 = s472.sin() + x.dot(w);
    let s474 = s473.sin() + x.dot(w);
    let s475 = s474.sin() + x.dot(w);
    let s476 = s475.sin() + x.dot(w);
    let s477 = s476.sin() + x.dot(w);
    let s478 = s477.sin() + x.dot(w);
    let s479 = s478.sin() + x.dot(w);
    let s480 = s479.sin() + x.dot(w);
    let s481 = s480.sin() + x.dot(w);
    let s482 = s481.sin() + x.dot(w);
    let s483 = s482.sin() + x.dot(w);
    let s484 = s483.sin() + x.dot(w);
    let s485 = s484.sin() + x.dot(w);
    let s486 = s485.sin() + x.dot(w);
    let s487 = s486.sin() + x.dot(w);
    let s488 = s487.sin() + x.dot(w);
    let s489 = s488.sin() + x.dot(w);
    let s490 = s489.sin() + x.dot(w);
    let s491 = s490.sin() + x.dot(w);
    let s492 = s491.sin() + x.dot(w);
    let s493 = s492.sin() + x.dot(w);
    let s494 = s493.sin() + x.dot(w);
    let s495 = s494.sin() + x.dot(w);
    let s496 = s495.sin() + x.dot(w);
    let s497 = s496.sin() + x.dot(w);
    let s498 = s497.sin() + x.dot(w);
    let s499 = s498.sin() + x.dot(w);
    let s500 = s499.sin() + x.dot(w);
    let s501 = s500.sin() + x.dot(w);
    let s502 = s501.sin() + x.dot(w);
    let s503 = s502.sin() + x.dot(w);
    let s504 = s503.sin() + x.dot(w);
    let s505 = s504.sin() + x.dot(w);
    let s506 = s505.sin() + x.dot(w);
    let s507 = s506.sin() + x.dot(w);
    let s508 = s507.sin() + x.dot(w);
    let s509 = s508.sin() + x.dot(w);
    let s510 = s509.sin() + x.dot(w);
    let s511 = s510.sin() + x.dot(w);
    let s512 = s511.sin() + x.dot(w);
    let s513 = s512.sin() + x.dot(w);
    let s514 = s513.sin() + x.dot(w);
    let s515 = s514.sin() + x.dot(w);
    let s516 = s515.sin() + x.dot(w);
    let s517 = s516.sin() + x.dot(w);
    let s518 = s517.sin() + x.dot(w);
    let s519 = s518.sin() + x.dot(w);
    let s520 = s519.sin() + x.dot(w);
    let s521 = s520.sin() + x.dot(w);
    let s522 = s521.sin() + x.dot(w);
    let s523 = s522.sin() + x.dot(w);
    let s524 = s523.sin() + x.dot(w);
    let s525 = s524.sin() + x.dot(w);
    let s526 = s525.sin() + x.dot(w);
    let s527 = s526.sin() + x.dot(w);
    let s528 = s527.sin() + x.dot(w);
    let s529 = s528.sin() + x.dot(w);
    let s530 = s529.sin() + x.dot(w);
    let s531 = s530.sin() + x.dot(w);
    let s532 = s531.sin() + x.dot(w);
    let s533 = s532.sin() + x.dot(w);
    let s534 = s533.sin() + x.dot(w);
    let s535 = s534.sin() + x.dot(w);
    let s536 = s535.sin() + x.dot(w);
    let s537 = s536.sin() + x.dot(w);
    let s538 = s537.sin() + x.dot(w);
    let s539 = s538.sin() + x.dot(w);
    let s540 = s539.sin() + x.dot(w);
    let s541 = s540.sin() + x.dot(w);
    let s542 = s541.sin() + x.dot(w);
    let s543 = s542.sin() + x.dot(w);
    let s544 = s543.sin() + x.dot(w);
    let s545 = s544.sin() + x.dot(w);
    let s546 = s545.sin() + x.dot(w);
    let s547 = s546.sin() + x.dot(w);
    let s548 = s547.sin() + x.dot(w);
    let s549 = s548.sin() + x.dot(w);
    let s550 = s549.sin() + x.dot(w);
    let s551 = s550.sin() + x.dot(w);
    let s552 = s551.sin() + x.dot(w);
    let s553 = s552.sin() + x.dot(w);
    let s554 = s553.sin() + x.dot(w);
    let s555 = s554.sin() + x.dot(w);
    let s556 = s555.sin() + x.dot(w);
    let s557 = s556.sin() + x.dot(w);
    let s558 = s557.sin() + x.dot(w);
    let s559 = s558.sin() + x.dot(w);
    let s560 = s559.sin() + x.dot(w);
    let s561 = s560.sin() + x.dot(w);
    let s562 = s561.sin() + x.dot(w);
    let s563 = s562.sin() + x.dot(w);
    let s564 = s563.sin() + x.dot(w);
    let s565 = s564.sin() + x.dot(w);
    let s566 = s565.sin() + x.dot(w);
    let s567 = s566.sin() + x.dot(w);
    let s568 = s567.sin() + x.dot(w);
    let s569 = s568.sin() + x.dot(w);
    let s570 = s569.sin() + x.dot(w);
    let s571 = s570.sin() + x.dot(w);
    let s572 = s571.sin() + x.dot(w);
    let s573 = s572.sin() + x.dot(w);
    let s574 = s573.sin() + x.dot(w);
    let s575 = s574.sin() + x.dot(w);
    let s576 = s575.sin() + x.dot(w);
    let s577 = s576.sin() + x.dot(w);
    let s578 = s577.sin() + x.dot(w);
    let s579 = s578.sin() + x.dot(w);
    let s580 = s579.sin() + x.dot(w);
    let s581 = s580.sin() + x.dot(w);
    let s582 = s581.sin() + x.dot(w);
    let s583 = s582.sin() + x.dot(w);
    let s584 = s583.sin() + x.dot(w);
    let s585 = s584.sin() + x.dot(w);
    let s586 = s585.sin() + x.dot(w);
    let s587 = s586.sin() + x.dot(w);
    let s588 = s587.sin() + x.dot(w);
    let s589 = s588.sin() + x.dot(w);
    let s590 = s589.sin() + x.dot(w);
    let s591 = s590.sin() + x.dot(w);
    let s592 = s591.sin() + x.dot(w);
    let s593 = s592.sin() + x.dot(w);
    let s594 = s593.sin() + x.dot(w);
    let s595 = s594.sin() + x.dot(w);
    let s596 = s595.sin() + x.dot(w);
    let s597 = s596.sin() + x.dot(w);
    let s598 = s597.sin() + x.dot(w);
    let s599 = s598.sin() + x.dot(w);
    let s600 = s599.sin() + x.dot(w);
    sum(s600)
}

#[test]
fn six_hundred_chained_elementwise_lets_compile_and_differentiate() {
    let x = cadena::ndarray::array![[0.1, 0.2], [0.3, -0.4]];
    let w = cadena::ndarray::array![[0.5, -0.1], [0.2, 0.3]];
    let (value, g) = long_chain::grad(&x, &w);
    assert!((value - long_chain(&x, &w)).abs() < 1e-9);
    let h = 1e-6;
    let mut up = w.clone();
    up[[0, 1]] += h;
    let mut down = w.clone();
    down[[0, 1]] -= h;
    let numeric = (long_chain(&x, &up) - long_chain(&x, &down)) / (2.0 * h);
    assert!(
        (g.w[[0, 1]] - numeric).abs() < 1e-5 * (1.0 + numeric.abs()),
        "{} vs {numeric}",
        g.w[[0, 1]]
    );
}
