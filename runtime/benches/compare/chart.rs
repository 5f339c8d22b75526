//! The report as a picture: `--svg FILE` draws the run's ratios, shape by shape, as an SVG chart
//! for the book's performance chapter (`book/generate.sh --bench` writes it next to the table).
//!
//! Two panels, one above the other: every contender's time (bytes per task for `mem_parked`)
//! as a multiple of tokio's, then of Go's — the same round-by-round median ratios as the table's
//! `vs tokio` and `vs go` columns, with their min–max as a whisker. The axis is logarithmic, so
//! ×0.1 and ×10 sit equally far from the reference line at ×1; a bar to the left of it means
//! fewer nanoseconds (or bytes) than the reference. The chart is drawn by `plotters`' SVG backend,
//! which writes text as `<text>` elements: the browser picks the font.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::job::Impl;
use crate::report::Summary;
use crate::stats::Spread;

/// Pixels per shape row, and the chart's width.
const ROW: u32 = 56;
const WIDTH: u32 = 900;
/// Pixels above the panels: heading, how to read it, legend.
const HEADER: u32 = 80;

/// One panel: the contenders' ratios to `reference`, per shape.
struct Panel<'a> {
    reference: Impl,
    title: &'a str,
    ratio: fn(&Summary<'_>) -> Option<Spread>,
}

/// Writes the chart of `summaries` to `path`; `heading` names the machine and the run. A panel
/// whose reference is not in the run (Go not installed) is left out.
pub fn write(path: &Path, heading: &str, summaries: &[Summary<'_>]) -> Result<(), String> {
    let shapes = shape_labels(summaries);
    let panels: Vec<Panel<'_>> = [
        Panel {
            reference: Impl::Tokio,
            title: "time per operation as a multiple of tokio's (mem_parked: bytes per task)",
            ratio: |s| s.vs_tokio,
        },
        Panel {
            reference: Impl::Go,
            title: "time per operation as a multiple of Go's (mem_parked: bytes per task)",
            ratio: |s| s.vs_go,
        },
    ]
    .into_iter()
    .filter(|panel| summaries.iter().any(|s| (panel.ratio)(s).is_some()))
    .collect();
    if shapes.is_empty() || panels.is_empty() {
        return Err("no ratios to draw (the run needs tokio or Go beside the others)".into());
    }
    let panel_height = ROW * shapes.len() as u32 + 90;
    let height = HEADER + panel_height * panels.len() as u32;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (top, mut rest) = root.split_vertically(HEADER);
    draw_header(&top, heading, summaries).map_err(|e| e.to_string())?;
    for panel in &panels {
        let (area, below) = rest.split_vertically(panel_height);
        draw_panel(&area, panel, &shapes, summaries).map_err(|e| e.to_string())?;
        rest = below;
    }
    root.present().map_err(|e| e.to_string())
}

/// The heading, how to read the chart, and one legend for both panels.
fn draw_header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: &str,
    summaries: &[Summary<'_>],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let text = ("sans-serif", 15).into_font().color(&BLACK);
    area.draw_text(heading, &text, (10, 8))?;
    area.draw_text(
        "log scale; left of the black line: faster (or smaller) than the reference; \
         bar: median of the round-by-round ratios, whisker: their min–max",
        &("sans-serif", 14).into_font().color(&BLACK.mix(0.75)),
        (10, 30),
    )?;
    let mut x = 10;
    for imp in Impl::ALL {
        if !summaries.iter().any(|s| s.imp == imp) {
            continue;
        }
        area.draw(&Rectangle::new(
            [(x, 56), (x + 14, 68)],
            colour(imp).filled(),
        ))?;
        area.draw_text(imp.name(), &text, (x + 20, 55))?;
        x += 110;
    }
    Ok(())
}

/// The shapes in report order ("mem_parked 100k" and "mem_parked 1M" are two).
fn shape_labels(summaries: &[Summary<'_>]) -> Vec<String> {
    let mut labels: Vec<String> = Vec::new();
    for s in summaries {
        let label = s.case.label();
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    labels
}

/// The contenders drawn in a panel: everyone but the reference, in a fixed order.
fn contenders(reference: Impl) -> Vec<Impl> {
    Impl::ALL.into_iter().filter(|&i| i != reference).collect()
}

/// A colour per contender, the same in both panels (Tasklings stands out; Go in its own cyan).
fn colour(imp: Impl) -> RGBColor {
    match imp {
        Impl::Tasklings => RGBColor(214, 39, 40),
        Impl::Tokio => RGBColor(31, 119, 180),
        Impl::Rayon => RGBColor(44, 160, 44),
        Impl::Std => RGBColor(127, 127, 127),
        Impl::Go => RGBColor(0, 173, 216),
    }
}

/// The x range: powers of ten around every ratio drawn (whiskers included) and 1.
fn x_range(panel: &Panel<'_>, summaries: &[Summary<'_>]) -> Range<f64> {
    let (mut low, mut high) = (1.0f64, 1.0f64);
    for s in summaries.iter().filter(|s| s.imp != panel.reference) {
        if let Some(r) = (panel.ratio)(s) {
            low = low.min(r.min.min(r.median));
            high = high.max(r.max.max(r.median));
        }
    }
    let decade = |x: f64, round: fn(f64) -> f64| 10f64.powf(round(x.log10()));
    decade(low * 0.9, f64::floor)..decade(high * 1.1, f64::ceil)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &Panel<'_>,
    shapes: &[String],
    summaries: &[Summary<'_>],
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let rows = shapes.len() as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, ("sans-serif", 16))
        .margin(10)
        .margin_right(30)
        .x_label_area_size(30)
        .y_label_area_size(130)
        .build_cartesian_2d(x_range(panel, summaries).log_scale(), 0.0..rows)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(shapes.len() * 2 + 1)
        .y_label_formatter(&|y| {
            // A label at the middle of each row (y = i + 0.5), counted from the top.
            let slot = rows - y - 0.5;
            let index = slot.round();
            if (slot - index).abs() < 0.01 && index >= 0.0 && (index as usize) < shapes.len() {
                shapes[index as usize].clone()
            } else {
                String::new()
            }
        })
        .x_label_formatter(&|x| format!("×{}", trim(*x)))
        .label_style(("sans-serif", 13))
        .draw()?;
    // The reference: ×1.
    chart.draw_series(std::iter::once(PathElement::new(
        [(1.0, 0.0), (1.0, rows)],
        BLACK.stroke_width(2),
    )))?;
    let drawn = contenders(panel.reference);
    let slot = 0.8 / drawn.len() as f64;
    for (k, &imp) in drawn.iter().enumerate() {
        let bars: Vec<(f64, Spread)> = shapes
            .iter()
            .enumerate()
            .filter_map(|(i, label)| {
                let s = summaries
                    .iter()
                    .find(|s| s.imp == imp && &s.case.label() == label)?;
                // Row i from the top; contender k's slot within it.
                let y = rows - i as f64 - 0.1 - slot * (k as f64 + 1.0);
                Some((y, (panel.ratio)(s)?))
            })
            .collect();
        let fill = colour(imp).filled();
        chart.draw_series(bars.iter().map(|&(y, r)| {
            Rectangle::new([(1.0, y + slot * 0.15), (r.median, y + slot * 0.85)], fill)
        }))?;
        chart.draw_series(bars.iter().map(|&(y, r)| {
            PathElement::new(
                [(r.min, y + slot / 2.0), (r.max, y + slot / 2.0)],
                BLACK.stroke_width(1),
            )
        }))?;
    }
    Ok(())
}

/// 0.01 → "0.01", 1 → "1", 1000 → "1000": tick labels without float noise.
fn trim(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
