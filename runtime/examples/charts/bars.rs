//! A horizontal bar chart as SVG, for the book's measured examples (`--svg FILE`): one bar per
//! measurement with its value written at the end, and vertical reference lines ("×1: no gain").
//! Included by `#[path]` from the examples that draw one, so each example stays one program.
//! Drawn with `plotters`' SVG backend: text is written as `<text>`, and the browser picks the font.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One bar: its label on the left, its length, and the text written at its end.
pub struct Bar {
    pub label: &'static str,
    pub value: f64,
    pub text: String,
}

/// A vertical reference line across the bars, with a label at its top.
pub struct Marker {
    pub at: f64,
    pub label: &'static str,
}

/// A whole chart: what it shows, the bars, the reference lines, and the axis.
pub struct BarChart {
    pub title: String,
    /// A line under the title (which machine, which run); empty for none.
    pub note: String,
    pub x_label: &'static str,
    /// The axis runs from 0 to at least this (more if a bar is longer), so that charts meant to
    /// be compared side by side share a scale.
    pub x_max: f64,
    pub bars: Vec<Bar>,
    pub markers: Vec<Marker>,
}

/// `--svg FILE` and `--note TEXT` taken out of the command line: the chart's file and the line
/// under its title, and the arguments left for the example.
pub struct ChartArgs {
    pub svg: Option<PathBuf>,
    pub note: String,
    pub rest: Vec<String>,
}

impl ChartArgs {
    /// Reads the program's arguments (after its name).
    pub fn from_env() -> ChartArgs {
        let mut args = ChartArgs {
            svg: None,
            note: String::new(),
            rest: Vec::new(),
        };
        let mut given = std::env::args().skip(1);
        while let Some(arg) = given.next() {
            match arg.as_str() {
                "--svg" => args.svg = given.next().map(PathBuf::from),
                "--note" => args.note = given.next().unwrap_or_default(),
                _ => args.rest.push(arg),
            }
        }
        args
    }
}

const BAR_COLOUR: RGBColor = RGBColor(31, 119, 180);

impl BarChart {
    /// Writes the chart to `path`.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let rows = self.bars.len();
        let height = 120 + 60 * rows as u32;
        let root = SVGBackend::new(path, (520, height)).into_drawing_area();
        self.draw(&root).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, plotters::coord::Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        root.draw_text(
            &self.title,
            &("sans-serif", 16).into_font().color(&BLACK),
            (10, 6),
        )?;
        root.draw_text(
            &self.note,
            &("sans-serif", 12).into_font().color(&BLACK.mix(0.7)),
            (10, 26),
        )?;
        let rows = self.bars.len() as f64;
        let longest = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let x_max = self.x_max.max(longest * 1.1);
        let area = root.margin(44, 0, 0, 0);
        let mut chart = ChartBuilder::on(&area)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(36)
            .y_label_area_size(150)
            .build_cartesian_2d(0.0..x_max, 0.0..rows + 0.4)?;
        let labels: Vec<&str> = self.bars.iter().map(|b| b.label).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(labels.len() * 2 + 1)
            .y_label_formatter(&|y| {
                // A label at the middle of each bar (y = i + 0.5), counted from the top.
                let slot = rows - y - 0.5;
                let index = slot.round();
                if (slot - index).abs() < 0.01 && index >= 0.0 && (index as usize) < labels.len() {
                    labels[index as usize].to_string()
                } else {
                    String::new()
                }
            })
            .x_desc(self.x_label)
            .light_line_style(TRANSPARENT)
            .label_style(("sans-serif", 13))
            .draw()?;
        for marker in &self.markers {
            chart.draw_series(std::iter::once(PathElement::new(
                [(marker.at, 0.0), (marker.at, rows + 0.05)],
                BLACK.mix(0.6).stroke_width(2),
            )))?;
            chart.draw_series(std::iter::once(Text::new(
                marker.label,
                (marker.at, rows + 0.35),
                ("sans-serif", 12)
                    .into_font()
                    .color(&BLACK.mix(0.8))
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))?;
        }
        for (i, bar) in self.bars.iter().enumerate() {
            let top = rows - i as f64 - 0.2;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, top), (bar.value, top - 0.6)],
                BAR_COLOUR.filled(),
            )))?;
            // The value inside the bar's end, in white, where it fits; after it otherwise.
            let inside = bar.value > x_max * 0.15;
            let (at, colour, anchor) = if inside {
                (bar.value - x_max * 0.015, WHITE, HPos::Right)
            } else {
                (bar.value + x_max * 0.015, BLACK, HPos::Left)
            };
            chart.draw_series(std::iter::once(Text::new(
                bar.text.clone(),
                (at, top - 0.3),
                ("sans-serif", 14)
                    .into_font()
                    .color(&colour)
                    .pos(Pos::new(anchor, VPos::Center)),
            )))?;
        }
        Ok(())
    }
}
