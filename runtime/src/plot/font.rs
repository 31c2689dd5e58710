//! The bundled font, registered with plotters once per process.

use std::sync::Once;

use plotters::style::FontStyle;

/// The family name plots ask for; the bundled font is registered under it.
pub(super) const FAMILY: &str = "sans-serif";

/// DejaVu Sans 2.37 from Debian's fonts-dejavu-core (Bitstream Vera licence, see
/// `assets/DejaVuSans-LICENSE.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the font before the first plot; later calls do nothing.
pub(super) fn register() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The bytes are a fixed, known-good TrueType file, so this cannot fail at run time.
        if plotters::style::register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_err() {
            unreachable!("the bundled DejaVu Sans is a valid font");
        }
    });
}
