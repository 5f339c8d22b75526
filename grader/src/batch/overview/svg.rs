//! The page's charts, as inline SVG: an exercise's score distribution and a horizontal bar.
//! Sizes are in CSS pixels; every number drawn is also in an attribute (`data-count`) so
//! the page can be checked by reading its DOM. No `xmlns`: inside HTML the parser puts `<svg>`
//! in the SVG namespace itself, and the page then names no URL at all.

use std::fmt::Write as _;

use super::html::escape;
use super::BINS;

/// Bar width and the gap after it, in the histogram.
const BAR: usize = 24;
const GAP: usize = 4;
/// Room for the axis labels.
const LEFT: usize = 8;
const BOTTOM: usize = 20;
const TOP: usize = 16;
/// Height of the tallest bar.
const TALL: f64 = 100.0;

/// Colour of a bin: below half the points, half or more, full marks.
fn colour(bin: usize) -> &'static str {
    match bin {
        10 => "#2e7d32",
        5..=9 => "#f0a020",
        _ => "#c62828",
    }
}

/// The label under a bin: its lowest percentage.
fn label(bin: usize) -> String {
    if bin == BINS - 1 {
        "100".to_owned()
    } else {
        (bin * 10).to_string()
    }
}

/// What a bin holds, in words (the bar's tooltip).
fn range(bin: usize) -> String {
    if bin == BINS - 1 {
        "full marks".to_owned()
    } else {
        format!("{}–{} % of the points", bin * 10, bin * 10 + 9)
    }
}

/// A histogram of `bins` (submissions per tenth of the maximum) for exercise `slug`.
pub fn histogram(slug: &str, bins: &[usize; BINS]) -> String {
    let width = LEFT + BINS * (BAR + GAP);
    let height = TOP + TALL as usize + BOTTOM;
    let tallest = bins.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut svg = format!(
        "<svg class=\"histogram\" data-exercise=\"{}\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"score distribution of {}\">",
        escape(slug),
        escape(slug)
    );
    let base = TOP as f64 + TALL;
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{base}\" x2=\"{width}\" y2=\"{base}\" stroke=\"#999\"/>"
    );
    for (bin, &count) in bins.iter().enumerate() {
        let x = LEFT + bin * (BAR + GAP);
        let tall = (count as f64 / tallest * TALL).round();
        let _ = write!(
            svg,
            "<rect class=\"bar\" data-bin=\"{bin}\" data-count=\"{count}\" x=\"{x}\" \
             y=\"{}\" width=\"{BAR}\" height=\"{tall}\" fill=\"{}\"><title>{count} \
             submission(s): {}</title></rect>",
            base - tall,
            colour(bin),
            range(bin)
        );
        let middle = x + BAR / 2;
        if count > 0 {
            let _ = write!(
                svg,
                "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" class=\"count\">{count}\
                 </text>",
                base - tall - 3.0
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{middle}\" y=\"{}\" text-anchor=\"middle\" class=\"axis\">{}</text>",
            base + 14.0,
            label(bin)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A horizontal bar `share` (0..=1) of its width full, in `fill`.
pub fn bar(share: f64, fill: &str) -> String {
    const WIDTH: f64 = 160.0;
    let full = (share.clamp(0.0, 1.0) * WIDTH).round();
    format!(
        "<svg class=\"meter\" width=\"{WIDTH}\" height=\"12\" viewBox=\"0 0 {WIDTH} 12\" \
         aria-hidden=\"true\"><rect width=\"{WIDTH}\" \
         height=\"12\" fill=\"#eee\"/><rect width=\"{full}\" height=\"12\" fill=\"{fill}\"/>\
         </svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_draws_every_bin_with_its_count() {
        let mut bins = [0; BINS];
        bins[0] = 1;
        bins[10] = 3;
        let svg = histogram("a<b", &bins);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), BINS);
        assert!(svg.contains("data-bin=\"10\" data-count=\"3\""), "{svg}");
        assert!(svg.contains("height=\"100\" fill=\"#2e7d32\""), "{svg}");
        assert!(svg.contains("data-exercise=\"a&lt;b\""), "{svg}");
    }
}
